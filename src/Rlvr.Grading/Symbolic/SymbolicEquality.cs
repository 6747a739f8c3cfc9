namespace Rlvr.Grading.Symbolic;

// TEMPORARY placeholder so that the paper grader compiles before branch `verify` is merged; replaced by
// the verify helper's implementation on merge. Always "not equal".
public static class SymbolicEquality
{
    public static bool AreEqual(string first, string second, GradeBudget budget) => false;
}
