// Fuzzes the first thing the mssante_receipts source does with a mail it
// fetched over IMAP, which anyone able to write to the applicative mailbox
// controls: GMime's parse and the DSN / MDN reading
// (adapters/mssante/mime/mail_receipts.h). A crash, a sanitizer report or a
// broken invariant below is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "adapters/mssante/mime/mail_receipts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using navette::adapters::mssante::mime::ParsedMail;
  const std::string raw(reinterpret_cast<const char*>(data), size);
  auto parsed = navette::adapters::mssante::mime::ParseMail(raw);
  if (!parsed.ok()) return 0;
  // Only a delivery report has per-recipient statuses; only a read report
  // a disposition.
  if (parsed->kind != ParsedMail::Kind::kDeliveryStatus && !parsed->statuses.empty()) std::abort();
  if (parsed->kind != ParsedMail::Kind::kDisposition && parsed->disposition_processed) std::abort();
  return 0;
}
