#include "adapters/hl7v2/charset.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "adapters/hl7v2/header.h"
#include "adapters/hl7v2/message_view.h"

namespace navette::adapters::hl7v2 {
namespace {

struct CharsetInfo {
  Charset charset;
  std::string_view name;   // HL7 table 0211
  const char* iconv_name;  // glibc's
};

constexpr CharsetInfo kCharsets[] = {
    {Charset::kUtf8, "UNICODE UTF-8", "UTF-8"},
    {Charset::kLatin1, "8859/1", "ISO-8859-1"},
    {Charset::kLatin9, "8859/15", "ISO-8859-15"},
    {Charset::kAscii, "ASCII", "ASCII"},
};

const CharsetInfo& Info(Charset charset) {
  for (const CharsetInfo& info : kCharsets) {
    if (info.charset == charset) return info;
  }
  return kCharsets[0];  // unreachable: every enumerator is in the table
}

// One iconv conversion descriptor, closed on destruction. A descriptor keeps
// state, so each conversion opens its own rather than sharing one between
// threads.
class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // Converts the whole of `in` into `out`. Returns 0, or the errno of the
  // failure (EILSEQ: a byte or character that cannot be converted; EINVAL:
  // the input ends inside a character) with `offset` set to where it is.
  // None of the supported sets is stateful, so there is no shift sequence to
  // flush at the end.
  int Convert(std::string_view in, std::string& out, size_t& offset) {
    out.assign(in.size() + in.size() / 2 + 16, '\0');
    // iconv's signature wants a char**; it does not write through it.
    char* in_next = const_cast<char*>(in.data());
    size_t in_left = in.size();
    size_t written = 0;
    while (in_left > 0) {
      char* out_next = out.data() + written;
      size_t out_left = out.size() - written;
      size_t result = iconv(cd_, &in_next, &in_left, &out_next, &out_left);
      int error = errno;
      written = static_cast<size_t>(out_next - out.data());
      if (result != static_cast<size_t>(-1)) break;
      if (error == E2BIG) {
        out.resize(out.size() * 2);
        continue;
      }
      offset = in.size() - in_left;
      return error;
    }
    out.resize(written);
    return 0;
  }

 private:
  iconv_t cd_;
};

bool IsIdCharacter(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// "segment 3 ("PID"): " for the segment holding byte `offset` when `text` is
// a message, counted as MessageView counts (blank lines are no segments);
// empty otherwise.
std::string Where(std::string_view text, size_t offset) {
  if (text.substr(0, 3) != "MSH") return "";
  size_t position = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) ++position;
    if (offset >= start && offset < end) {
      std::string_view id = text.substr(start, std::min<size_t>(3, end - start));
      bool readable =
          id.size() == 3 && IsIdCharacter(id[0]) && IsIdCharacter(id[1]) && IsIdCharacter(id[2]);
      return readable ? fmt::format("segment {} ({:?}): ", position, id)
                      : fmt::format("segment {}: ", position);
    }
    start = end + 1;
  }
  return "";
}

// The byte at `at` and the continuation bytes after it (at most 4 in all),
// in hexadecimal: "0xC3 0xA9".
std::string Bytes(std::string_view text, size_t at) {
  std::string out = fmt::format("0x{:02X}", static_cast<unsigned char>(text[at]));
  for (size_t i = at + 1; i < text.size() && i < at + 4 && (text[i] & 0xC0) == 0x80; ++i) {
    out += fmt::format(" 0x{:02X}", static_cast<unsigned char>(text[i]));
  }
  return out;
}

struct CodePoint {
  char32_t value;
  size_t length;
};

// The character of the UTF-8 sequence at `at`, to name it in an error;
// nullopt when the sequence is not valid UTF-8.
std::optional<CodePoint> CodePointAt(std::string_view text, size_t at) {
  auto lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) return CodePoint{lead, 1};
  // The lead byte gives the length, its low bits the start of the value.
  size_t length = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
  } else {
    return std::nullopt;
  }
  char32_t value = lead & (0x7F >> length);
  // Below these, the sequence is overlong: a shorter one says the same.
  constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  char32_t smallest = kSmallest[length];
  if (at + length > text.size()) return std::nullopt;
  for (size_t i = 1; i < length; ++i) {
    auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    value = (value << 6) | (next & 0x3F);
  }
  if (value < smallest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return std::nullopt;
  }
  return CodePoint{value, length};
}

absl::Status IconvUnavailable(const char* to, const char* from, int error) {
  return absl::InternalError(fmt::format("iconv cannot convert from {} to {}: {}", from, to,
                                         std::generic_category().message(error)));
}

absl::Status Invalid(std::string_view text, size_t offset, const CharsetInfo& info, int error) {
  return absl::InvalidArgumentError(
      fmt::format("{}{} is not valid {} at byte {}{}", Where(text, offset), Bytes(text, offset),
                  info.name, offset, error == EINVAL ? " (the text ends inside a character)" : ""));
}

}  // namespace

absl::StatusOr<Charset> CharsetFromName(std::string_view name) {
  std::string supported;
  for (const CharsetInfo& info : kCharsets) {
    if (info.name == name) return info.charset;
    supported += fmt::format("{}{:?}", supported.empty() ? "" : ", ", info.name);
  }
  return absl::InvalidArgumentError(
      fmt::format("character set {:?} is not supported (navette reads {})", name, supported));
}

std::string_view CharsetName(Charset charset) { return Info(charset).name; }

absl::StatusOr<Charset> MessageCharset(std::string_view raw, std::string_view default_name) {
  // Only MSH is read: the rest is in a character set not known yet.
  auto msh = MessageView::Parse(raw.substr(0, raw.find_first_of("\r\n")));
  if (!msh.ok()) return msh.status();
  std::string declared = ReadCharset(*msh);
  auto charset = CharsetFromName(declared.empty() ? default_name : declared);
  if (!charset.ok()) {
    return absl::InvalidArgumentError(fmt::format(
        "{}: {}",
        declared.empty() ? "MSH-18 is empty and the default character set is unusable" : "MSH-18",
        std::string(charset.status().message())));
  }
  return charset;
}

absl::StatusOr<std::string> DecodeToUtf8(std::string_view bytes, Charset charset,
                                         size_t* invalid_at) {
  // ASCII is the same bytes in every set navette reads: most header fields,
  // and many whole messages, need no converter (opening one costs more than
  // the check).
  if (std::all_of(bytes.begin(), bytes.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return std::string(bytes);
  }
  const CharsetInfo& info = Info(charset);
  Iconv converter("UTF-8", info.iconv_name);
  if (!converter.ok()) return IconvUnavailable("UTF-8", info.iconv_name, errno);
  std::string out;
  size_t offset = 0;
  int error = converter.Convert(bytes, out, offset);
  if (error != 0) {
    if (invalid_at != nullptr) *invalid_at = offset;
    return Invalid(bytes, offset, info, error);
  }
  return out;
}

absl::StatusOr<std::string> EncodeFromUtf8(std::string_view utf8, Charset charset) {
  const CharsetInfo& info = Info(charset);
  Iconv converter(info.iconv_name, "UTF-8");
  if (!converter.ok()) return IconvUnavailable(info.iconv_name, "UTF-8", errno);
  std::string out;
  size_t offset = 0;
  int error = converter.Convert(utf8, out, offset);
  if (error == 0) return out;
  std::optional<CodePoint> character =
      error == EILSEQ ? CodePointAt(utf8, offset) : std::optional<CodePoint>();
  if (!character.has_value()) return Invalid(utf8, offset, Info(Charset::kUtf8), error);
  // Every supported set holds ASCII, so the character is at least U+0080;
  // it is shown too unless it is a C1 control.
  std::string shown = character->value >= 0xA0
                          ? fmt::format(" {:?}", utf8.substr(offset, character->length))
                          : std::string();
  return absl::InvalidArgumentError(
      fmt::format("{}U+{:04X}{} cannot be encoded in {} at byte {}", Where(utf8, offset),
                  static_cast<uint32_t>(character->value), shown, info.name, offset));
}

absl::StatusOr<DecodedMessage> DecodeMessage(std::string_view raw, std::string_view default_name) {
  auto charset = MessageCharset(raw, default_name);
  if (!charset.ok()) return charset.status();
  auto text = DecodeToUtf8(raw, *charset);
  if (!text.ok()) return text.status();
  return DecodedMessage{*charset, *std::move(text)};
}

}  // namespace navette::adapters::hl7v2
