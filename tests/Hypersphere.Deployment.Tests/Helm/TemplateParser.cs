namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>
/// Builds the node tree of one template file and collects its <c>define</c> blocks. Supports the constructs the
/// chart uses: if / else if / else, with, range (with variables), define, template, variables, pipelines and
/// parenthesised arguments; anything else is an error, so the chart cannot silently outgrow the checks.
/// </summary>
public sealed class TemplateParser
{
    private readonly IReadOnlyList<Item> _items;
    private readonly string _name;
    private int _next;

    private TemplateParser(IReadOnlyList<Item> items, string name)
    {
        _items = items;
        _name = name;
    }

    /// <summary>The file's top-level nodes and the named templates it defines.</summary>
    public static (IReadOnlyList<Node> Body, IReadOnlyDictionary<string, IReadOnlyList<Node>> Defines) Parse(string source, string name)
    {
        var parser = new TemplateParser(TemplateLexer.Lex(source, name), name);
        var defines = new Dictionary<string, IReadOnlyList<Node>>(StringComparer.Ordinal);
        var (body, end) = parser.ParseList(defines);
        if (end is not null)
        {
            throw new TemplateException($"{name}:{end.Line}: unexpected {{{{ {end.Tokens[0].Text} }}}}");
        }

        return (body, defines);
    }

    // Parses nodes until else/end (returned, not consumed further) or the end of the file (null).
    private (List<Node> Nodes, ActionItem? Stop) ParseList(Dictionary<string, IReadOnlyList<Node>> defines)
    {
        var nodes = new List<Node>();
        while (_next < _items.Count)
        {
            var item = _items[_next++];
            if (item is TextItem text)
            {
                if (text.Text.Length > 0)
                {
                    nodes.Add(new TextNode(text.Text, text.Line));
                }

                continue;
            }

            var action = (ActionItem)item;
            if (action.Tokens.Count == 0)
            {
                throw new TemplateException($"{_name}:{action.Line}: empty action");
            }

            var first = action.Tokens[0];
            var keyword = first.Kind == TokenKind.Identifier ? first.Text : null;
            switch (keyword)
            {
                case "end":
                case "else":
                    return (nodes, action);
                case "if":
                case "with":
                case "range":
                    nodes.Add(ParseBranch(keyword, action, 1, defines));
                    break;
                case "define":
                    {
                        var name = StringArgument(action, "define");
                        var (body, stop) = ParseList(defines);
                        ExpectEnd(stop, action, "define");
                        defines[name] = body;
                        break;
                    }

                case "template":
                    {
                        var name = StringArgument(action, "template");
                        var pipeline = action.Tokens.Count > 2 ? ParsePipeline(action.Tokens, 2, action.Tokens.Count, action.Line) : null;
                        nodes.Add(new TemplateCallNode(name, pipeline, action.Line));
                        break;
                    }

                case "block":
                case "break":
                case "continue":
                    throw new TemplateException($"{_name}:{action.Line}: {keyword} is not supported by these checks");
                default:
                    nodes.Add(new OutputNode(ParsePipeline(action.Tokens, 0, action.Tokens.Count, action.Line), action.Line));
                    break;
            }
        }

        return (nodes, null);
    }

    private BranchNode ParseBranch(string keyword, ActionItem action, int from, Dictionary<string, IReadOnlyList<Node>> defines)
    {
        var pipeline = ParsePipeline(action.Tokens, from, action.Tokens.Count, action.Line);
        var (body, stop) = ParseList(defines);
        if (stop is null)
        {
            throw new TemplateException($"{_name}:{action.Line}: {keyword} has no end");
        }

        if (stop.Tokens[0].Text == "end")
        {
            return new BranchNode(keyword, pipeline, body, null, action.Line);
        }

        // else, or "else if …" / "else with …", which shares the outer end.
        if (stop.Tokens.Count > 1)
        {
            var chained = stop.Tokens[1];
            if (chained.Kind != TokenKind.Identifier || (chained.Text != "if" && chained.Text != "with"))
            {
                throw new TemplateException($"{_name}:{stop.Line}: else must stand alone or be followed by if or with");
            }

            var inner = ParseBranch(chained.Text, stop, 2, defines);
            return new BranchNode(keyword, pipeline, body, [inner], action.Line);
        }

        var (otherwise, end) = ParseList(defines);
        ExpectEnd(end, action, keyword);
        return new BranchNode(keyword, pipeline, body, otherwise, action.Line);
    }

    private void ExpectEnd(ActionItem? stop, ActionItem opener, string keyword)
    {
        if (stop is null || stop.Tokens[0].Text != "end" || stop.Tokens.Count != 1)
        {
            throw new TemplateException($"{_name}:{opener.Line}: {keyword} is not closed by {{{{ end }}}}");
        }
    }

    private string StringArgument(ActionItem action, string keyword) =>
        action.Tokens.Count >= 2 && action.Tokens[1].Kind == TokenKind.Text
            ? (string)action.Tokens[1].Value!
            : throw new TemplateException($"{_name}:{action.Line}: {keyword} needs a quoted name");

    private Pipeline ParsePipeline(IReadOnlyList<Token> tokens, int from, int to, int line)
    {
        var variables = new List<string>();
        var assignment = false;
        var declaration = FindDeclaration(tokens, from, to);
        if (declaration >= 0)
        {
            for (var i = from; i < declaration; i++)
            {
                if (tokens[i].Kind == TokenKind.Variable && tokens[i].Chain!.Count == 0)
                {
                    variables.Add(tokens[i].Text);
                }
                else if (tokens[i].Kind != TokenKind.Comma)
                {
                    throw new TemplateException($"{_name}:{line}: bad variable declaration");
                }
            }

            assignment = tokens[declaration].Kind == TokenKind.Assign;
            from = declaration + 1;
        }

        var commands = new List<Command>();
        var operands = new List<Operand>();
        var i2 = from;
        while (i2 < to)
        {
            var token = tokens[i2];
            if (token.Kind == TokenKind.Pipe)
            {
                commands.Add(Finish(operands, line));
                operands = [];
                i2++;
                continue;
            }

            if (token.Kind == TokenKind.LeftParen)
            {
                var close = MatchingParen(tokens, i2, to, line);
                operands.Add(new Operand(null, ParsePipeline(tokens, i2 + 1, close, line)));
                i2 = close + 1;
                continue;
            }

            if (token.Kind is TokenKind.RightParen or TokenKind.Comma or TokenKind.Declare or TokenKind.Assign)
            {
                throw new TemplateException($"{_name}:{line}: unexpected '{token.Text}'");
            }

            operands.Add(new Operand(token, null));
            i2++;
        }

        commands.Add(Finish(operands, line));
        return new Pipeline(variables, assignment, commands);
    }

    private Command Finish(List<Operand> operands, int line) =>
        operands.Count > 0 ? new Command(operands) : throw new TemplateException($"{_name}:{line}: empty command in a pipeline");

    private static int FindDeclaration(IReadOnlyList<Token> tokens, int from, int to)
    {
        // Only "$a :=", "$a =", "$a, $b :=" at the start of a pipeline declare.
        for (var i = from; i < to && i < from + 4; i++)
        {
            if (tokens[i].Kind is TokenKind.Declare or TokenKind.Assign)
            {
                return i;
            }

            if (tokens[i].Kind is not (TokenKind.Variable or TokenKind.Comma))
            {
                return -1;
            }
        }

        return -1;
    }

    private int MatchingParen(IReadOnlyList<Token> tokens, int open, int to, int line)
    {
        var depth = 0;
        for (var i = open; i < to; i++)
        {
            depth += tokens[i].Kind switch
            {
                TokenKind.LeftParen => 1,
                TokenKind.RightParen => -1,
                _ => 0,
            };
            if (depth == 0)
            {
                return i;
            }
        }

        throw new TemplateException($"{_name}:{line}: unclosed parenthesis");
    }
}
