namespace Rlvr.Grading.Symbolic;

internal enum TokenKind
{
    End,
    Number,     // 12, 3.5, 1.5e3 (thousands separators already removed)
    Letters,    // a run of ASCII letters: x, xy, sqrt
    Command,    // \frac, \pi, ... (Text = name without the backslash)
    Text,       // content of \text{...} and friends
    Punct,      // + - * / ^ _ ( ) [ ] { } , ; | ! % : and the relation operators = < > <= >= !=
    SetOpen,    // \{
    SetClose,   // \}
    RowSep,     // \\ inside an environment
    CellSep,    // &
    Begin,      // \begin{env} (Text = env)
    EndEnv,     // \end{env}
}

internal readonly record struct MathToken(TokenKind Kind, string Text)
{
    public bool Is(string punct) => Kind == TokenKind.Punct && Text == punct;
    public bool IsCommand(string name) => Kind == TokenKind.Command && Text == name;
}
