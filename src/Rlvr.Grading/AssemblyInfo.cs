using System.Runtime.CompilerServices;

// The grading tests exercise the extractor and number scanner directly.
[assembly: InternalsVisibleTo("Rlvr.Grading.Tests")]
