using Hypersphere.Inference;

namespace Hypersphere.Service.Runtime.Models;

/// <summary>
/// Opens, checks and warms up the session of one checked model folder: <see cref="OnnxEncoder.Load(ModelFolder, EncoderOptions?)"/>
/// in the app; tests put a loader here that fails the way a device or a volume does.
/// </summary>
/// <param name="folder">The opened folder (card read, file checked).</param>
/// <param name="options">The provider and thread settings.</param>
public delegate OnnxEncoder EncoderLoader(ModelFolder folder, EncoderOptions options);
