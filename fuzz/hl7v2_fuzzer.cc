// Fuzzes the HL7 v2 codec: any bytes an MLLP peer may send go through
// MessageView::Parse, the header reader, field paths and unescaping,
// ParseAck, and Message's parse → serialize round trip. A crash, a sanitizer report
// or a broken invariant below is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/hl7v2/ack.h"
#include "adapters/hl7v2/escape.h"
#include "adapters/hl7v2/field_path.h"
#include "adapters/hl7v2/header.h"
#include "adapters/hl7v2/message.h"
#include "adapters/hl7v2/message_view.h"

namespace {

using navette::adapters::hl7v2::FieldPath;
using navette::adapters::hl7v2::MessageView;

// Paths the engine's routes and patient keys read.
const FieldPath& Path(int which) {
  static const FieldPath kPaths[] = {
      *FieldPath::Parse("PID-3"), *FieldPath::Parse("PID-3[2].4.2"), *FieldPath::Parse("PID-5.1"),
      *FieldPath::Parse("OBX-5"), *FieldPath::Parse("OBX[2]-3.1"),   *FieldPath::Parse("MSH-9.2"),
      *FieldPath::Parse("ZFA-9"), *FieldPath::Parse("PV1-19.1.1"),
  };
  return kPaths[which % (sizeof(kPaths) / sizeof(kPaths[0]))];
}

void Check(bool invariant) {
  if (!invariant) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  (void)navette::adapters::hl7v2::ParseAck(raw);
  // The mutable model gives back exactly the bytes it was parsed from.
  if (auto message = navette::adapters::hl7v2::Message::Parse(raw); message.ok()) {
    Check(message->Serialize() == raw);
  }
  auto view = MessageView::Parse(raw);
  if (!view.ok()) return 0;
  Check(view->segment_count() >= 1 && view->segment(0).id == "MSH");
  (void)navette::adapters::hl7v2::ReadHeader(*view);
  (void)navette::adapters::hl7v2::ReadCharset(*view);
  for (size_t s = 0; s < view->segment_count(); ++s) {
    const auto& segment = view->segment(s);
    // A segment's text lies inside the message, where its offset says.
    Check(segment.offset + segment.text.size() <= raw.size());
    Check(raw.substr(segment.offset, segment.text.size()) == segment.text);
    for (int field = 1; field <= 12; ++field) {
      auto value = view->Field(s, field);
      if (value) {
        (void)navette::adapters::hl7v2::Unescape(*value, view->delimiters());
      }
    }
  }
  for (int i = 0; i < 8; ++i) {
    view->ForEach(Path(i), [&](std::string_view value) {
      const std::string plain = navette::adapters::hl7v2::Unescape(value, view->delimiters());
      // Escaping what was unescaped reads back the same text.
      const std::string escaped = navette::adapters::hl7v2::Escape(plain, view->delimiters());
      Check(navette::adapters::hl7v2::Unescape(escaped, view->delimiters()) == plain);
      return true;
    });
  }
  return 0;
}
