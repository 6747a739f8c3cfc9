namespace Rlvr.Torch.Tokenization;

/// <summary>
/// A token matched whole in the input before BPE runs (tokenizer.json "added_tokens"), such as
/// `&lt;|im_end|&gt;`. <paramref name="Special"/> tokens can be skipped when decoding.
/// </summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">The exact text it matches.</param>
/// <param name="Special">Whether it is a special (control) token.</param>
/// <param name="LeftStrip">Whether whitespace before it is absorbed into it (HF "lstrip").</param>
/// <param name="RightStrip">Whether whitespace after it is absorbed into it (HF "rstrip").</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip = false, bool RightStrip = false);
