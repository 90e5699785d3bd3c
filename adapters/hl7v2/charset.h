// Character sets of HL7 v2 messages: from the bytes a sender wrote to UTF-8
// for processing, and from UTF-8 back to the bytes a receiver expects.
//
// MSH-18 names the character set with an HL7 table 0211 value. navette reads
// the ones French systems send: "UNICODE UTF-8", "8859/1" (Latin-1),
// "8859/15" (Latin-9, Latin-1 with € and œ) and "ASCII". An empty MSH-18
// means the source's configured default. Any other value is refused rather
// than guessed: reading Latin-1 as UTF-8, or the reverse, garbles names
// silently, and identity matching depends on them.
//
// Only the first repetition of MSH-18 is read: the others name the sets the
// \C..\ and \M..\ escapes switch to (ISO 2022), which navette does not
// handle. The conversions are glibc's iconv; nothing is transliterated or
// dropped: a byte that is not valid in the declared set, or a character the
// target set cannot encode, is an error naming its byte offset and, when the
// text is a message, its segment.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace navette::adapters::hl7v2 {

enum class Charset { kAscii, kLatin1, kLatin9, kUtf8 };

// The charset a table 0211 value names; an unsupported value is refused,
// naming it and the supported ones.
absl::StatusOr<Charset> CharsetFromName(std::string_view name);

// The table 0211 value MSH-18 writes for `charset`, e.g. "8859/1".
std::string_view CharsetName(Charset charset);

// The charset of the message in `raw`, read from MSH-18 in the raw bytes
// (MSH is ASCII whatever the charset, so this comes before decoding), or
// `default_name` (a table 0211 value) when MSH-18 is empty or absent.
absl::StatusOr<Charset> MessageCharset(std::string_view raw, std::string_view default_name);

// `bytes` in `charset`, as UTF-8. Refuses a byte that is not valid in
// `charset` (non-ASCII bytes in ASCII, broken sequences in UTF-8); then, when
// `invalid_at` is given, it receives that byte's offset in `bytes`.
absl::StatusOr<std::string> DecodeToUtf8(std::string_view bytes, Charset charset,
                                         size_t* invalid_at = nullptr);

// `utf8` encoded in `charset`. Refuses invalid UTF-8 and characters that
// `charset` cannot encode, naming the character.
absl::StatusOr<std::string> EncodeFromUtf8(std::string_view utf8, Charset charset);

struct DecodedMessage {
  Charset charset;   // as MSH-18 or the default declared it
  std::string text;  // the message in UTF-8; MSH-18 is left as it was
};

// MessageCharset then DecodeToUtf8. To send the message on, or an answer to
// it, EncodeFromUtf8 with the same charset gives back the original bytes.
absl::StatusOr<DecodedMessage> DecodeMessage(std::string_view raw, std::string_view default_name);

}  // namespace navette::adapters::hl7v2
