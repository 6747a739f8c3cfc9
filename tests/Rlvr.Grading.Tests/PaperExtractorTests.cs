using Rlvr.Grading.Paper;

namespace Rlvr.Grading.Tests;

/// <summary>The Qwen2.5-Math extractor's fallbacks in upstream order (research/upstream.md §1.3), by hand.</summary>
public sealed class PaperExtractorTests
{
    [Theory]
    [InlineData("The final answer is $3$. I hope it is correct. \\boxed{4}", "3")] // Minerva beats boxed
    [InlineData("first \\boxed{\\frac{1}{2}} then \\boxed{7}", "7")]                // the LAST boxed
    [InlineData("so \\boxed{\\{1, \\{2\\}\\}} done", "{1,{2}}")]                  // brace-balanced content
    [InlineData("unclosed \\boxed{12", "12")]                                      // unclosed: the rest
    [InlineData("\\boxed 5$ and more", "5")]                                        // no brace: up to the next $
    [InlineData("\\fbox{5} and 6", "6")]                                            // \fbox is not recognised
    [InlineData("Hence the answer is 42.", "42")]
    [InlineData("The answer is: 42.", "42")]                                        // leading ":" dropped
    [InlineData("My final answer is 17", "17")]
    [InlineData("所以答案是 7\n\n其他 8", "7")]
    [InlineData("no box, final 5 then 6", "6")]                                     // last number
    [InlineData("we get 1,234 apples", "1234")]                                     // commas removed first
    [InlineData("it is -0.5 or .25", "0.25")]                                       // regex -?\d*\.?\d+, then "." -> "0."
    [InlineData("$$\\{1,2,3\\}$$", "123")]  // a set without a box: commas go before the number search (vector gc-0156: ${1,3}$ -> 13)
    [InlineData("nothing numeric", "")]
    [InlineData("\\boxed{}", "")]
    [InlineData("x \u043a\u0438= \\boxed{2}", "2")]                                 // the token "ки" is removed
    public void Extracts_with_upstream_fallbacks(string response, string expected)
    {
        Assert.Equal(expected, QwenAnswerExtractor.Extract(response));
    }

    [Theory]
    [InlineData("the answer is \\boxed{5}", "5")]
    [InlineData("the answer is 5", "")]           // box only: no fallback
    [InlineData("\\fbox{5}", "")]
    public void Box_only_extraction_needs_a_box(string response, string expected)
    {
        Assert.Equal(expected, QwenAnswerExtractor.ExtractBoxOnly(response));
    }

    [Theory]
    [InlineData("<think>t</think> <answer>12</answer>", "12")]
    [InlineData("<answer>1</answer> <answer>2</answer>", "2")]        // after the last <answer>
    [InlineData("<answer>sure</answer>", "su")]                         // rstrip of a character set: "re" goes too
    [InlineData("<answer>answer</answer>", "")]
    [InlineData("no tags 3", "no tags 3")]
    public void R1_style_keeps_the_part_after_the_last_answer_tag(string response, string expected)
    {
        Assert.Equal(expected, QwenAnswerExtractor.R1AnswerPart(response));
    }

    [Fact]
    public void R1_style_box_only_rewards_any_non_empty_answer_part()
    {
        Assert.Equal("fiv", QwenAnswerExtractor.ExtractBoxOnly("<answer>five</answer>", r1Style: true)); // the "e" goes too
        Assert.Equal("3", QwenAnswerExtractor.Extract("12 <answer>the value 3</answer>", r1Style: true));
    }
}
