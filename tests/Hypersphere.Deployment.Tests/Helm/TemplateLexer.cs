using System.Globalization;
using System.Text;

namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>
/// Splits Go template source into text and action items, applying the trim markers (<c>{{- </c> removes the
/// whitespace before, <c> -}}</c> the whitespace after) and dropping comments, as text/template does.
/// </summary>
public static class TemplateLexer
{
    public static IReadOnlyList<Item> Lex(string source, string name)
    {
        var items = new List<Item>();
        var position = 0;
        var trimNext = false;
        while (position < source.Length)
        {
            var open = source.IndexOf("{{", position, StringComparison.Ordinal);
            var text = open < 0 ? source[position..] : source[position..open];
            if (trimNext)
            {
                text = text.TrimStart(' ', '\t', '\r', '\n');
            }

            if (open < 0)
            {
                items.Add(new TextItem(text, LineOf(source, position)));
                break;
            }

            var cursor = open + 2;
            if (cursor + 1 < source.Length && source[cursor] == '-' && IsSpace(source[cursor + 1]))
            {
                text = text.TrimEnd(' ', '\t', '\r', '\n');
                cursor += 2;
            }

            items.Add(new TextItem(text, LineOf(source, position)));
            var line = LineOf(source, open);
            var (tokens, end, trimRight) = LexAction(source, cursor, name, line);
            if (tokens is not null)
            {
                items.Add(new ActionItem(tokens, line));
            }

            trimNext = trimRight;
            position = end;
        }

        return items;
    }

    private static (List<Token>? Tokens, int End, bool TrimRight) LexAction(string s, int i, string name, int line)
    {
        var start = i;
        while (i < s.Length && IsSpace(s[i]))
        {
            i++;
        }

        if (string.CompareOrdinal(s, i, "/*", 0, 2) == 0)
        {
            var close = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new TemplateException($"{name}:{line}: unclosed comment");
            }

            var after = close + 2;
            var (end, trim) = CloseAt(s, after, name, line);
            return (null, end, trim);
        }

        i = start;
        var tokens = new List<Token>();
        while (true)
        {
            if (i >= s.Length)
            {
                throw new TemplateException($"{name}:{line}: unclosed action");
            }

            var c = s[i];
            if (IsSpace(c))
            {
                var j = i;
                while (j < s.Length && IsSpace(s[j]))
                {
                    j++;
                }

                if (string.CompareOrdinal(s, j, "-}}", 0, 3) == 0)
                {
                    return (tokens, j + 3, true);
                }

                i = j;
                continue;
            }

            if (string.CompareOrdinal(s, i, "}}", 0, 2) == 0)
            {
                return (tokens, i + 2, false);
            }

            switch (c)
            {
                case '(':
                    tokens.Add(new Token(TokenKind.LeftParen, "("));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new Token(TokenKind.RightParen, ")"));
                    i++;
                    continue;
                case '|':
                    tokens.Add(new Token(TokenKind.Pipe, "|"));
                    i++;
                    continue;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ","));
                    i++;
                    continue;
                case ':' when i + 1 < s.Length && s[i + 1] == '=':
                    tokens.Add(new Token(TokenKind.Declare, ":="));
                    i += 2;
                    continue;
                case '=':
                    tokens.Add(new Token(TokenKind.Assign, "="));
                    i++;
                    continue;
                case '"':
                    i = LexQuoted(s, i, tokens, name, line);
                    continue;
                case '`':
                    var closeRaw = s.IndexOf('`', i + 1);
                    if (closeRaw < 0)
                    {
                        throw new TemplateException($"{name}:{line}: unclosed raw string");
                    }

                    tokens.Add(new Token(TokenKind.Text, s[i..(closeRaw + 1)], s[(i + 1)..closeRaw]));
                    i = closeRaw + 1;
                    continue;
                case '.' when i + 1 < s.Length && IsIdentifierStart(s[i + 1]):
                    {
                        var (chain, next) = LexChain(s, i);
                        tokens.Add(new Token(TokenKind.Field, s[i..next], Chain: chain));
                        i = next;
                        continue;
                    }

                case '.':
                    tokens.Add(new Token(TokenKind.Dot, "."));
                    i++;
                    continue;
                case '$':
                    {
                        var j = i + 1;
                        while (j < s.Length && IsIdentifierPart(s[j]))
                        {
                            j++;
                        }

                        var variable = s[i..j];
                        var (chain, next) = j < s.Length && s[j] == '.' && j + 1 < s.Length && IsIdentifierStart(s[j + 1]) ? LexChain(s, j) : ([], j);
                        tokens.Add(new Token(TokenKind.Variable, variable, Chain: chain));
                        i = next;
                        continue;
                    }
            }

            if (char.IsDigit(c) || ((c == '-' || c == '+') && i + 1 < s.Length && char.IsDigit(s[i + 1])))
            {
                var j = i + 1;
                while (j < s.Length && (char.IsLetterOrDigit(s[j]) || s[j] == '.' || s[j] == '_' || ((s[j] == '-' || s[j] == '+') && (s[j - 1] == 'e' || s[j - 1] == 'E'))))
                {
                    j++;
                }

                tokens.Add(new Token(TokenKind.Number, s[i..j], ParseNumber(s[i..j], name, line)));
                i = j;
                continue;
            }

            if (IsIdentifierStart(c))
            {
                var j = i + 1;
                while (j < s.Length && IsIdentifierPart(s[j]))
                {
                    j++;
                }

                var word = s[i..j];
                tokens.Add(word switch
                {
                    "true" => new Token(TokenKind.Bool, word, true),
                    "false" => new Token(TokenKind.Bool, word, false),
                    "nil" => new Token(TokenKind.Nil, word),
                    _ => new Token(TokenKind.Identifier, word),
                });
                i = j;
                continue;
            }

            throw new TemplateException($"{name}:{line}: unexpected character '{c}' in an action");
        }
    }

    private static (int End, bool TrimRight) CloseAt(string s, int i, string name, int line)
    {
        var j = i;
        while (j < s.Length && IsSpace(s[j]))
        {
            j++;
        }

        if (string.CompareOrdinal(s, j, "-}}", 0, 3) == 0 && j > i)
        {
            return (j + 3, true);
        }

        if (string.CompareOrdinal(s, i, "}}", 0, 2) == 0)
        {
            return (i + 2, false);
        }

        throw new TemplateException($"{name}:{line}: a comment must end with */}} or */ -}}");
    }

    private static (List<string> Chain, int Next) LexChain(string s, int i)
    {
        var chain = new List<string>();
        while (i < s.Length && s[i] == '.' && i + 1 < s.Length && IsIdentifierStart(s[i + 1]))
        {
            var j = i + 1;
            while (j < s.Length && IsIdentifierPart(s[j]))
            {
                j++;
            }

            chain.Add(s[(i + 1)..j]);
            i = j;
        }

        return (chain, i);
    }

    private static int LexQuoted(string s, int i, List<Token> tokens, string name, int line)
    {
        var value = new StringBuilder();
        var j = i + 1;
        while (j < s.Length && s[j] != '"')
        {
            if (s[j] == '\\' && j + 1 < s.Length)
            {
                j++;
                value.Append(s[j] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '"' => '"',
                    '\\' => '\\',
                    _ => throw new TemplateException($"{name}:{line}: unsupported escape \\{s[j]}"),
                });
            }
            else
            {
                value.Append(s[j]);
            }

            j++;
        }

        if (j >= s.Length)
        {
            throw new TemplateException($"{name}:{line}: unclosed string");
        }

        tokens.Add(new Token(TokenKind.Text, s[i..(j + 1)], value.ToString()));
        return j + 1;
    }

    private static object ParseNumber(string text, string name, int line)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return real;
        }

        throw new TemplateException($"{name}:{line}: bad number '{text}'");
    }

    private static int LineOf(string source, int position)
    {
        var line = 1;
        for (var i = 0; i < position && i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_';
}
