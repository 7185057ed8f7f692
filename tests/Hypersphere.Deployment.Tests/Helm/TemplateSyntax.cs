namespace Hypersphere.Deployment.Tests.Helm;

/// <summary>A Go template could not be parsed or executed; the message names the template and the construct.</summary>
public sealed class TemplateException(string message) : Exception(message);

/// <summary>Token kinds inside <c>{{ … }}</c>.</summary>
public enum TokenKind
{
    LeftParen,
    RightParen,
    Pipe,
    Declare,
    Assign,
    Comma,
    Text,
    Number,
    Bool,
    Nil,
    Dot,
    Field,
    Variable,
    Identifier,
}

/// <summary>One token of an action. Fields and variables carry their chain (<c>.a.b</c> → ["a", "b"]).</summary>
public sealed record Token(TokenKind Kind, string Text, object? Value = null, IReadOnlyList<string>? Chain = null);

/// <summary>A piece of template source: literal text, or an action's tokens.</summary>
public abstract record Item(int Line);

/// <summary>Text between actions, already trimmed by <c>{{-</c> and <c>-}}</c>.</summary>
public sealed record TextItem(string Text, int Line) : Item(Line);

/// <summary>The tokens of one <c>{{ … }}</c> action (comments produce none).</summary>
public sealed record ActionItem(IReadOnlyList<Token> Tokens, int Line) : Item(Line);

/// <summary>A parsed template node.</summary>
public abstract record Node(int Line);

/// <summary>Literal output.</summary>
public sealed record TextNode(string Text, int Line) : Node(Line);

/// <summary><c>{{ pipeline }}</c>: prints the value unless the pipeline declares or assigns a variable.</summary>
public sealed record OutputNode(Pipeline Pipeline, int Line) : Node(Line);

/// <summary><c>if</c>/<c>with</c>/<c>range</c> with its body and optional <c>else</c> branch.</summary>
public sealed record BranchNode(string Keyword, Pipeline Pipeline, IReadOnlyList<Node> Body, IReadOnlyList<Node>? Else, int Line) : Node(Line);

/// <summary><c>{{ template "name" pipeline }}</c>.</summary>
public sealed record TemplateCallNode(string Name, Pipeline? Pipeline, int Line) : Node(Line);

/// <summary>A pipeline: optional variable declaration (<c>$a, $b :=</c>) or assignment, then commands joined by <c>|</c>.</summary>
public sealed record Pipeline(IReadOnlyList<string> Variables, bool IsAssignment, IReadOnlyList<Command> Commands);

/// <summary>One command: operands; if the first is an identifier it is a function called with the others.</summary>
public sealed record Command(IReadOnlyList<Operand> Operands);

/// <summary>An operand: a token, or a parenthesised pipeline.</summary>
public sealed record Operand(Token? Token, Pipeline? Inner);
