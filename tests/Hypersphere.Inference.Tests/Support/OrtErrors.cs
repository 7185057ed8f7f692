using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Hypersphere.Inference.Tests.Support;

/// <summary>
/// ONNX Runtime's exceptions as its native calls raise them (<c>[ErrorCode:…] message</c>): the constructor that
/// takes the native status is internal, so it is reached by reflection.
/// </summary>
public static class OrtErrors
{
    public static OnnxRuntimeException Make(string code, string message)
    {
        var constructor = typeof(OnnxRuntimeException).GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)
            .Single(c => c.GetParameters() is [{ ParameterType.IsEnum: true }, { ParameterType: var text }] && text == typeof(string));
        var codeType = constructor.GetParameters()[0].ParameterType;
        return (OnnxRuntimeException)constructor.Invoke([Enum.Parse(codeType, code), message]);
    }
}
