#include "adapters/mssante/xdm/xdm_zip.h"

#include <zip.h>

#include <algorithm>
#include <ctime>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace navette::adapters::mssante::xdm {
namespace {

struct ZipDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipSourceFree {
  void operator()(zip_source_t* source) const { zip_source_free(source); }
};
struct ZipErrorFini {
  void operator()(zip_error_t* error) const { zip_error_fini(error); }
};

absl::Status ZipFailure(const std::string& what, zip_error_t* error) {
  return absl::InternalError(absl::StrCat("XDM zip: ", what, ": ", zip_error_strerror(error)));
}

// Reads back what zip_close wrote into the buffer source.
absl::StatusOr<std::string> ReadSource(zip_source_t* source) {
  if (zip_source_open(source) < 0) return ZipFailure("reopen", zip_source_error(source));
  std::string bytes;
  char chunk[16384];
  zip_int64_t got = 0;
  while ((got = zip_source_read(source, chunk, sizeof chunk)) > 0) {
    bytes.append(chunk, static_cast<size_t>(got));
  }
  absl::Status status =
      got < 0 ? ZipFailure("read back", zip_source_error(source)) : absl::OkStatus();
  zip_source_close(source);
  if (!status.ok()) return status;
  return bytes;
}

}  // namespace

absl::StatusOr<std::string> WriteZip(const std::vector<ZipEntry>& entries, absl::Time mtime) {
  const absl::Time kFirstDosTime = absl::FromCivil(absl::CivilDay(1980, 1, 2), absl::UTCTimeZone());
  const time_t entry_time = absl::ToTimeT(std::max(mtime, kFirstDosTime));

  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_error_t, ZipErrorFini> error_scope(&error);
  zip_source_t* raw_source = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (raw_source == nullptr) return ZipFailure("buffer", &error);
  zip_t* raw_archive = zip_open_from_source(raw_source, ZIP_TRUNCATE, &error);
  if (raw_archive == nullptr) {
    zip_source_free(raw_source);  // not taken by a failed open
    return ZipFailure("open", &error);
  }
  // The archive holds one reference and frees it on close; ours keeps the
  // buffer alive to read the result from.
  zip_source_keep(raw_source);
  std::unique_ptr<zip_source_t, ZipSourceFree> source(raw_source);
  std::unique_ptr<zip_t, ZipDiscard> archive(raw_archive);

  for (const ZipEntry& entry : entries) {
    zip_int64_t index = -1;
    if (!entry.name.empty() && entry.name.back() == '/') {
      index = zip_dir_add(archive.get(), entry.name.c_str(), ZIP_FL_ENC_UTF_8);
    } else {
      zip_source_t* data =
          zip_source_buffer(archive.get(), entry.bytes.data(), entry.bytes.size(), 0);
      if (data == nullptr) return ZipFailure(entry.name, zip_get_error(archive.get()));
      index = zip_file_add(archive.get(), entry.name.c_str(), data, ZIP_FL_ENC_UTF_8);
      if (index < 0) zip_source_free(data);  // not taken by a failed add
    }
    if (index < 0 ||
        zip_file_set_mtime(archive.get(), static_cast<zip_uint64_t>(index), entry_time, 0) < 0) {
      return ZipFailure(entry.name, zip_get_error(archive.get()));
    }
  }
  if (zip_close(archive.get()) < 0) return ZipFailure("close", zip_get_error(archive.get()));
  archive.release();  // zip_close freed it
  return ReadSource(source.get());
}

}  // namespace navette::adapters::mssante::xdm
