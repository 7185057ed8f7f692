using System.Collections;
using System.Text;

namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>
/// Executes parsed templates over Go-like values (see <see cref="GoValues"/>). Stricter than Helm in one way on
/// purpose: reading a map key that does not exist is an error, so every value a rendered branch reads must be
/// declared in values.yaml.
/// </summary>
public sealed class TemplateEngine
{
    private readonly Dictionary<string, IReadOnlyList<Node>> _templates = new(StringComparer.Ordinal);

    /// <summary>Parses a file: its body becomes the template named <paramref name="name"/>, its defines are added.</summary>
    public void Add(string name, string source)
    {
        var (body, defines) = TemplateParser.Parse(source, name);
        _templates[name] = body;
        foreach (var (define, nodes) in defines)
        {
            _templates[define] = nodes;
        }
    }

    public bool Has(string name) => _templates.ContainsKey(name);

    /// <summary>Executes the template <paramref name="name"/> with <paramref name="data"/> as both dot and <c>$</c>.</summary>
    public string Execute(string name, object? data)
    {
        if (!_templates.TryGetValue(name, out var nodes))
        {
            throw new TemplateException($"no template named \"{name}\"");
        }

        var output = new StringBuilder();
        var scope = new Scope(null);
        scope.Declare("$", data);
        Run(nodes, data, scope, output, name);
        return output.ToString();
    }

    private void Run(IReadOnlyList<Node> nodes, object? dot, Scope scope, StringBuilder output, string template)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case OutputNode action:
                    {
                        var value = Evaluate(action.Pipeline, dot, scope, template, action.Line);
                        if (action.Pipeline.Variables.Count == 0)
                        {
                            output.Append(GoValues.Print(value));
                        }

                        break;
                    }

                case TemplateCallNode call:
                    {
                        var data = call.Pipeline is null ? null : Evaluate(call.Pipeline, dot, scope, template, call.Line);
                        output.Append(Execute(call.Name, data));
                        break;
                    }

                case BranchNode branch:
                    RunBranch(branch, dot, scope, output, template);
                    break;
            }
        }
    }

    private void RunBranch(BranchNode branch, object? dot, Scope scope, StringBuilder output, string template)
    {
        var inner = new Scope(scope);
        if (branch.Keyword == "range")
        {
            RunRange(branch, dot, inner, output, template);
            return;
        }

        var value = Evaluate(branch.Pipeline, dot, inner, template, branch.Line);
        if (GoValues.IsTrue(value))
        {
            Run(branch.Body, branch.Keyword == "with" ? value : dot, inner, output, template);
        }
        else if (branch.Else is not null)
        {
            Run(branch.Else, dot, new Scope(scope), output, template);
        }
    }

    private void RunRange(BranchNode branch, object? dot, Scope scope, StringBuilder output, string template)
    {
        var pipeline = branch.Pipeline with { Variables = [] };
        var collection = Evaluate(pipeline, dot, scope, template, branch.Line);
        var entries = collection switch
        {
            null => [],
            IDictionary<string, object?> map => map.Select(p => ((object?)p.Key, p.Value)).ToList(),
            IList list => list.Cast<object?>().Select((v, i) => ((object?)(long)i, v)).ToList(),
            _ => throw new TemplateException($"{template}:{branch.Line}: range can't iterate over {GoValues.KindOf(collection)}"),
        };
        if (entries.Count == 0)
        {
            if (branch.Else is not null)
            {
                Run(branch.Else, dot, new Scope(scope), output, template);
            }

            return;
        }

        foreach (var (key, element) in entries)
        {
            var body = new Scope(scope);
            switch (branch.Pipeline.Variables.Count)
            {
                case 1:
                    body.Declare(branch.Pipeline.Variables[0], element);
                    break;
                case 2:
                    body.Declare(branch.Pipeline.Variables[0], key);
                    body.Declare(branch.Pipeline.Variables[1], element);
                    break;
            }

            Run(branch.Body, element, body, output, template);
        }
    }

    internal object? Evaluate(Pipeline pipeline, object? dot, Scope scope, string template, int line)
    {
        object? value = null;
        var first = true;
        foreach (var command in pipeline.Commands)
        {
            value = EvaluateCommand(command, dot, scope, template, line, first ? Missing.Value : value);
            first = false;
        }

        if (pipeline.Variables.Count > 1)
        {
            throw new TemplateException($"{template}:{line}: two variables are only allowed in range");
        }

        if (pipeline.Variables.Count == 1)
        {
            if (pipeline.IsAssignment)
            {
                scope.Assign(pipeline.Variables[0], value, template, line);
            }
            else
            {
                scope.Declare(pipeline.Variables[0], value);
            }
        }

        return value;
    }

    private object? EvaluateCommand(Command command, object? dot, Scope scope, string template, int line, object? piped)
    {
        var head = command.Operands[0];
        if (head.Token is { Kind: TokenKind.Field or TokenKind.Variable, Chain.Count: > 0 } method
            && Receiver(method, dot, scope, template, line) is ITemplateMethods receiver)
        {
            var arguments = command.Operands.Skip(1).Select(o => EvaluateOperand(o, dot, scope, template, line)).ToList();
            if (piped != Missing.Value)
            {
                arguments.Add(piped);
            }

            return receiver.Invoke(method.Chain[^1], arguments, $"{template}:{line}");
        }

        if (head.Token is { Kind: TokenKind.Identifier } function)
        {
            var arguments = command.Operands.Skip(1).Select(o => (Func<object?>)(() => EvaluateOperand(o, dot, scope, template, line))).ToList();
            if (piped != Missing.Value)
            {
                var value = piped;
                arguments.Add(() => value);
            }

            return TemplateFunctions.Call(this, function.Text, arguments, template, line);
        }

        if (command.Operands.Count > 1 || piped != Missing.Value)
        {
            throw new TemplateException($"{template}:{line}: can't give arguments to a non-function");
        }

        return EvaluateOperand(head, dot, scope, template, line);
    }

    private object? EvaluateOperand(Operand operand, object? dot, Scope scope, string template, int line)
    {
        if (operand.Inner is not null)
        {
            return Evaluate(operand.Inner, dot, scope, template, line);
        }

        var token = operand.Token!;
        return token.Kind switch
        {
            TokenKind.Text or TokenKind.Number or TokenKind.Bool => token.Value,
            TokenKind.Nil => null,
            TokenKind.Dot => dot,
            TokenKind.Field => Walk(dot, token.Chain!, token.Text, template, line),
            TokenKind.Variable => Walk(scope.Get(token.Text, template, line), token.Chain!, token.Text, template, line),
            TokenKind.Identifier => TemplateFunctions.Call(this, token.Text, [], template, line),
            _ => throw new TemplateException($"{template}:{line}: unexpected '{token.Text}'"),
        };
    }

    // What a field chain's last name is read from (.Files for .Files.Get): a method call if it has methods.
    private static object? Receiver(Token token, object? dot, Scope scope, string template, int line)
    {
        var start = token.Kind == TokenKind.Variable ? scope.Get(token.Text, template, line) : dot;
        return Walk(start, token.Chain!.Take(token.Chain!.Count - 1).ToList(), token.Text, template, line);
    }

    private static object? Walk(object? value, IReadOnlyList<string> chain, string text, string template, int line)
    {
        foreach (var key in chain)
        {
            if (value is ITemplateMethods methods)
            {
                value = methods.Invoke(key, [], $"{template}:{line}"); // a method without arguments, as Go calls it
                continue;
            }

            if (value is not IDictionary<string, object?> map)
            {
                throw new TemplateException($"{template}:{line}: {text}: can't read .{key} of {GoValues.KindOf(value)}");
            }

            if (!map.TryGetValue(key, out value))
            {
                throw new TemplateException($"{template}:{line}: {text}: no key '{key}' (declare it in values.yaml)");
            }
        }

        return value;
    }

    /// <summary>Variables visible in a block; <c>$</c> is declared at the root.</summary>
    internal sealed class Scope(Scope? parent)
    {
        private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

        public void Declare(string name, object? value) => _variables[name] = value;

        public void Assign(string name, object? value, string template, int line)
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope._variables.ContainsKey(name))
                {
                    scope._variables[name] = value;
                    return;
                }
            }

            throw new TemplateException($"{template}:{line}: assignment to undeclared variable {name}");
        }

        public object? Get(string name, string template, int line)
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope._variables.TryGetValue(name, out var value))
                {
                    return value;
                }
            }

            throw new TemplateException($"{template}:{line}: undefined variable {name}");
        }

        private Scope? Parent => parent;
    }

    /// <summary>Marks "no piped value" (null is a value).</summary>
    private sealed class Missing
    {
        public static readonly Missing Value = new();
    }
}
