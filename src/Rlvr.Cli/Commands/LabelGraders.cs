using Rlvr.Core.Data;
using Rlvr.Grading;

namespace Rlvr.Cli.Commands;

/// <summary>
/// The grader `rlvr label` votes with. TEMPORARY: the grader factory (Rlvr.Grading.Graders.Create,
/// branches `paper` and `verify`) is not in main yet; once it is, this becomes
/// <c>Graders.Create(mode)</c>. Until then `rlvr label` stops here with a clear error.
/// </summary>
internal static class LabelGraders
{
    public static IAnswerGrader Create(GraderMode mode) =>
        throw new DatasetException($"--mode {mode.ToString().ToLowerInvariant()}: no grader in this build yet (Rlvr.Grading.Graders is not merged)");
}
