using System.Buffers.Binary;
using System.Text;

namespace Hypersphere.Service.Tests.Hostile;

/// <summary>
/// JSON bodies whose images are strings that are not what they claim: invalid base64, truncated PNGs, PNGs whose
/// hand-written IHDR (with a valid CRC) declares huge or zero dimensions, broken CRCs, GIF/JPEG/BMP headers that
/// declare huge images, and malformed data URLs.
/// </summary>
public static class ImageMutations
{
    /// <summary>A JSON body for <paramref name="route"/> with 1–3 images, one of them mutated.</summary>
    public static MutatedBody Next(Random random, string route)
    {
        var (mutation, image) = Image(random);
        var valid = Convert.ToBase64String(GrayPng(random));
        var items = Enumerable.Range(0, random.Next(1, 4)).Select(_ => "\"" + valid + "\"").ToList();
        items[random.Next(items.Count)] = "\"" + image + "\"";
        if (route == "/v1/quality" && items.Count < 2)
        {
            items.Add("\"" + valid + "\"");
        }

        var body = $$"""{"model":"toy","input":[{{string.Join(",", items)}}]{{(random.Next(2) == 0 ? ",\"encoding_format\":\"base64\"" : string.Empty)}}}""";
        return new MutatedBody(mutation, Encoding.UTF8.GetBytes(body));
    }

    private static (string Mutation, string Image) Image(Random random)
    {
        var png = GrayPng(random);
        var b64 = Convert.ToBase64String(png);
        switch (random.Next(8))
        {
            case 0:
                return ("invalid-base64", JsonMutations.Pick(random, ["!!!!", "AAA", "A===", "AAAA====", "AA AA\\nAA", "-_-_", "QUFB\\u0000", "====", b64[..^1], b64 + "A", "\\ud800AAA"]));
            case 1:
                var cut = random.Next(1, png.Length);
                return ($"truncated-png-{cut}/{png.Length}", Convert.ToBase64String(png[..cut]));
            case 2:
                var (w, h) = JsonMutations.Pick(random, new (int, int)[] { (0x7fffffff, 0x7fffffff), (65535, 65535), (100_000, 1), (1, 100_000), (0, 8), (8, 0), (1 << 24, 1 << 24), (101, 100), (-1, -1) });
                return ($"png-ihdr-{w}x{h}", Convert.ToBase64String(PngWriter.HeaderOnly(w, h)));
            case 3:
                var corrupt = (byte[])png.Clone();
                corrupt[random.Next(8, corrupt.Length)] ^= (byte)random.Next(1, 256);
                return ("png-corrupt-byte", Convert.ToBase64String(corrupt));
            case 4:
                return ("other-format-header", Convert.ToBase64String(JsonMutations.Pick(random, [Gif(0xffff, 0xffff), Jpeg(0xffff, 0xffff), Bmp(0x7fffffff, 0x7fffffff), Bmp(-8, -8), Encoding.ASCII.GetBytes("RIFF\u00ff\u00ff\u00ff\u007fWEBPVP8 "), Encoding.ASCII.GetBytes("<svg xmlns='http://www.w3.org/2000/svg'/>")])));
            case 5:
                return ("data-url", JsonMutations.Pick(random, [
                    "data:", "data:,", "data:image/png;base64", "data:image/png;base64,", "data:image/png;base64,!!!", "data:;base64," + b64,
                    "data:image/png;charset=utf-8;base64," + b64, "data:image/png;base64," + b64[..(b64.Length / 2)], "DATA:IMAGE/PNG;BASE64," + b64,
                    "data:text/html;base64," + Convert.ToBase64String(Encoding.ASCII.GetBytes("<script>alert(1)</script>")), "data:image/png;base64,," + b64,
                    "data:image/png;base64;base64," + b64, "data:image/png," + b64, " data:image/png;base64," + b64, "data:image/png;base64, " + b64 + " "]));
            case 6:
                var garbage = new byte[random.Next(1, 3000)];
                random.NextBytes(garbage);
                return ("random-bytes-base64", Convert.ToBase64String(garbage));
            default:
                return ("png-other-size", Convert.ToBase64String(RandomPng(random)));
        }
    }

    private static byte[] GrayPng(Random random)
    {
        var pixels = new byte[64];
        random.NextBytes(pixels);
        return PngWriter.Gray(pixels, 8, 8);
    }

    private static byte[] RandomPng(Random random)
    {
        int w = random.Next(1, 100), h = random.Next(1, 100);
        var pixels = new byte[w * h];
        random.NextBytes(pixels);
        return PngWriter.Gray(pixels, w, h);
    }

    private static byte[] Gif(ushort width, ushort height)
    {
        var gif = new byte[13];
        Encoding.ASCII.GetBytes("GIF89a").CopyTo(gif, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), width);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), height);
        return gif;
    }

    private static byte[] Jpeg(ushort width, ushort height)
    {
        // SOI, then a baseline SOF0 segment declaring the size, and nothing else.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0, 0, 0, 0, 0x01, 0x01, 0x11, 0x00];
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(7), height);
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(9), width);
        return jpeg;
    }

    private static byte[] Bmp(int width, int height)
    {
        var bmp = new byte[54];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        return bmp;
    }
}
