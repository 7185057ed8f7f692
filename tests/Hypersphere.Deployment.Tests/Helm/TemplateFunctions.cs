using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>
/// The text/template built-ins and the Sprig/Helm functions the chart uses, with Go's semantics where they bite:
/// <c>eq</c> and <c>gt</c> refuse to compare an int with a float64 (as Helm does), <c>and</c>/<c>or</c> stop early,
/// printing goes through <see cref="GoValues.Print"/>. An unknown function is an error.
/// </summary>
public static class TemplateFunctions
{
    public static object? Call(TemplateEngine engine, string name, IReadOnlyList<Func<object?>> arguments, string template, int line)
    {
        string Where() => $"{template}:{line}: {name}";
        object? Arg(int i) => i < arguments.Count ? arguments[i]() : throw new TemplateException($"{Where()}: needs {i + 1} arguments, got {arguments.Count}");
        object?[] All() => arguments.Select(a => a()).ToArray();
        void Count(int expected)
        {
            if (arguments.Count != expected)
            {
                throw new TemplateException($"{Where()}: needs {expected} arguments, got {arguments.Count}");
            }
        }

        switch (name)
        {
            case "and":
                {
                    object? last = null;
                    foreach (var argument in arguments)
                    {
                        last = argument();
                        if (!GoValues.IsTrue(last))
                        {
                            return last;
                        }
                    }

                    return last;
                }

            case "or":
                {
                    object? last = null;
                    foreach (var argument in arguments)
                    {
                        last = argument();
                        if (GoValues.IsTrue(last))
                        {
                            return last;
                        }
                    }

                    return last;
                }

            case "not":
                Count(1);
                return !GoValues.IsTrue(Arg(0));
            case "eq":
                {
                    var all = All();
                    return all.Skip(1).Any(other => Compare(all[0], other, Where()) == 0);
                }

            case "ne":
                Count(2);
                return Compare(Arg(0), Arg(1), Where()) != 0;
            case "lt":
                Count(2);
                return Compare(Arg(0), Arg(1), Where(), ordered: true) < 0;
            case "le":
                Count(2);
                return Compare(Arg(0), Arg(1), Where(), ordered: true) <= 0;
            case "gt":
                Count(2);
                return Compare(Arg(0), Arg(1), Where(), ordered: true) > 0;
            case "ge":
                Count(2);
                return Compare(Arg(0), Arg(1), Where(), ordered: true) >= 0;
            case "len":
                Count(1);
                return Arg(0) switch
                {
                    string s => (long)s.Length,
                    ICollection c => (long)c.Count,
                    var other => throw new TemplateException($"{Where()}: len of {GoValues.KindOf(other)}"),
                };
            case "print":
                return GoValues.Sprint(All());
            case "printf":
                {
                    var all = All();
                    return GoValues.Printf(Text(all[0], Where()), all.Skip(1).ToArray(), Where());
                }

            case "include":
                {
                    Count(2);
                    var included = Text(Arg(0), Where());
                    return engine.Execute(included, Arg(1));
                }

            case "required":
                {
                    Count(2);
                    var value = Arg(1);
                    return value is null || (value is string s && s.Length == 0) ? throw new TemplateException($"{Where()}: {Arg(0)}") : value;
                }

            case "fail":
                // Helm's fail: func(msg string) (string, error) { return "", errors.New(msg) }; rendering stops with msg.
                Count(1);
                throw new TemplateException($"{Where()}: {Text(Arg(0), Where())}");

            case "default":
                {
                    Count(2);
                    var value = Arg(1);
                    return GoValues.IsEmpty(value) ? Arg(0) : value;
                }

            case "ternary":
                Count(3);
                return GoValues.IsTrue(Arg(2)) ? Arg(0) : Arg(1);
            case "quote":
                return string.Join(" ", All().Where(v => v is not null).Select(v => GoValues.GoQuote(GoValues.Print(v))));
            case "toString":
                Count(1);
                return GoValues.Print(Arg(0));
            case "toYaml":
                Count(1);
                return HelmYaml.ToYaml(Arg(0));
            case "indent":
                Count(2);
                return Indent(Number(Arg(0), Where()), GoValues.Print(Arg(1)));
            case "nindent":
                Count(2);
                return "\n" + Indent(Number(Arg(0), Where()), GoValues.Print(Arg(1)));
            case "trunc":
                {
                    Count(2);
                    var length = (int)Number(Arg(0), Where());
                    var text = Text(Arg(1), Where());
                    return length >= 0 && text.Length > length ? text[..length] : text;
                }

            case "trimSuffix":
                {
                    Count(2);
                    var suffix = Text(Arg(0), Where());
                    var text = Text(Arg(1), Where());
                    return suffix.Length > 0 && text.EndsWith(suffix, StringComparison.Ordinal) ? text[..^suffix.Length] : text;
                }

            case "replace":
                Count(3);
                return Text(Arg(2), Where()).Replace(Text(Arg(0), Where()), Text(Arg(1), Where()), StringComparison.Ordinal);
            case "contains":
                Count(2);
                return Text(Arg(1), Where()).Contains(Text(Arg(0), Where()), StringComparison.Ordinal);
            case "b64enc":
                Count(1);
                return Convert.ToBase64String(Encoding.UTF8.GetBytes(GoValues.Print(Arg(0))));
            case "sha256sum":
                Count(1);
                return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(GoValues.Print(Arg(0)))));
            case "kindIs":
                Count(2);
                return Text(Arg(0), Where()) == GoValues.KindOf(Arg(1));
            case "int":
            case "int64":
                Count(1);
                return Arg(0) switch
                {
                    long l => l,
                    double d => (long)Math.Truncate(d),
                    bool b => b ? 1L : 0L,
                    string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => 0L,
                };
            case "float64":
                Count(1);
                return Arg(0) switch
                {
                    long l => (double)l,
                    double d => d,
                    string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => 0.0,
                };
            case "list":
                return All().ToList();
            case "dict":
                {
                    var all = All();
                    var map = GoValues.NewMap();
                    for (var i = 0; i + 1 < all.Length; i += 2)
                    {
                        map[GoValues.Print(all[i])] = all[i + 1];
                    }

                    return map;
                }

            case "merge":
                {
                    var all = All();
                    var target = all[0] as IDictionary<string, object?> ?? throw new TemplateException($"{Where()}: the first argument must be a map");
                    foreach (var source in all.Skip(1))
                    {
                        MergeMissing(target, source as IDictionary<string, object?> ?? throw new TemplateException($"{Where()}: arguments must be maps"));
                    }

                    return target;
                }

            case "concat":
                return All().SelectMany(l => (l as IList ?? throw new TemplateException($"{Where()}: arguments must be lists")).Cast<object?>()).ToList();
            case "append":
                Count(2);
                return (Arg(0) as IList ?? throw new TemplateException($"{Where()}: the first argument must be a list")).Cast<object?>().Append(Arg(1)).ToList();
            case "initial":
                {
                    Count(1);
                    var list = (Arg(0) as IList ?? throw new TemplateException($"{Where()}: needs a list")).Cast<object?>().ToList();
                    return list.Take(Math.Max(0, list.Count - 1)).ToList();
                }

            case "last":
                {
                    Count(1);
                    var list = (Arg(0) as IList ?? throw new TemplateException($"{Where()}: needs a list")).Cast<object?>().ToList();
                    return list.Count > 0 ? list[^1] : null;
                }

            default:
                throw new TemplateException($"{Where()}: function not supported by these checks (add it to TemplateFunctions if Helm has it)");
        }
    }

    // Go's eq/lt: the two values must be of one basic kind; an int against a float64 is an error in Helm.
    private static int Compare(object? a, object? b, string where, bool ordered = false)
    {
        return (a, b) switch
        {
            (string x, string y) => string.CompareOrdinal(x, y),
            (long x, long y) => x.CompareTo(y),
            (double x, double y) => x.CompareTo(y),
            (bool x, bool y) when !ordered => x == y ? 0 : 1,
            (null, null) when !ordered => 0,
            _ => throw new TemplateException($"{where}: incompatible types for comparison ({GoValues.KindOf(a)} and {GoValues.KindOf(b)})"),
        };
    }

    private static void MergeMissing(IDictionary<string, object?> target, IDictionary<string, object?> source)
    {
        foreach (var (key, value) in source)
        {
            if (!target.TryGetValue(key, out var existing))
            {
                target[key] = value;
            }
            else if (existing is IDictionary<string, object?> inner && value is IDictionary<string, object?> other)
            {
                MergeMissing(inner, other);
            }
        }
    }

    private static string Indent(long spaces, string text)
    {
        var pad = new string(' ', (int)spaces);
        return pad + text.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    private static long Number(object? value, string where) => value switch
    {
        long l => l,
        double d => (long)d,
        _ => throw new TemplateException($"{where}: needs a number, got {GoValues.KindOf(value)}"),
    };

    private static string Text(object? value, string where) =>
        value as string ?? throw new TemplateException($"{where}: needs a string, got {GoValues.KindOf(value)}");
}
