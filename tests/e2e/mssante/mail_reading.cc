#include "tests/e2e/mssante/mail_reading.h"

#include <gmime/gmime.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace navette::testing {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string DecodedContent(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GMimeStream* out = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(content, out);
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
  std::string decoded(reinterpret_cast<const char*>(bytes->data), bytes->len);
  g_object_unref(out);
  return decoded;
}

void Collect(GMimeObject* /*parent*/, GMimeObject* object, gpointer data) {
  auto* mail = static_cast<ReadMail*>(data);
  if (!GMIME_IS_PART(object)) return;
  GMimePart* part = GMIME_PART(object);
  GMimeContentType* type = g_mime_object_get_content_type(object);
  char* media = g_mime_content_type_get_mime_type(type);
  const std::string media_type = media == nullptr ? "" : Lower(media);
  g_free(media);
  const char* file_name = g_mime_part_get_filename(part);
  if (file_name != nullptr) {
    mail->attachments.push_back({file_name, media_type, DecodedContent(part)});
  } else if (media_type == "text/plain" && mail->text.empty()) {
    mail->text = DecodedContent(part);
  }
}

}  // namespace

ReadMail ReadDeliveredMail(std::string_view raw) {
  static std::once_flag init;
  std::call_once(init, [] { g_mime_init(); });
  ReadMail mail;
  GMimeStream* stream =
      g_mime_stream_mem_new_with_buffer(raw.data(), static_cast<size_t>(raw.size()));
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  g_object_unref(stream);
  if (message == nullptr) {
    mail.error = "GMime could not parse the mail";
    return mail;
  }
  const char* subject = g_mime_message_get_subject(message);
  mail.subject = subject == nullptr ? "" : subject;
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
  for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
    GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
    const std::string name = Lower(g_mime_header_get_name(header));
    const char* raw_value = g_mime_header_get_raw_value(header);
    std::string value = raw_value == nullptr ? "" : raw_value;
    // Unfold and trim, as a reader compares it.
    value.erase(std::remove(value.begin(), value.end(), '\r'), value.end());
    value.erase(std::remove(value.begin(), value.end(), '\n'), value.end());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    if (name == "subject") mail.raw_subject = value;
    mail.headers.emplace(name, value);
  }
  g_mime_message_foreach(message, Collect, &mail);
  g_object_unref(message);
  mail.ok = true;
  return mail;
}

std::map<std::string, std::string> Unzip(std::string_view zip, std::string* error) {
  std::map<std::string, std::string> entries;
  zip_error_t zip_error;
  zip_error_init(&zip_error);
  zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &zip_error);
  zip_t* archive =
      source == nullptr ? nullptr : zip_open_from_source(source, ZIP_RDONLY, &zip_error);
  if (archive == nullptr) {
    if (source != nullptr) zip_source_free(source);
    *error = zip_error_strerror(&zip_error);
    zip_error_fini(&zip_error);
    return entries;
  }
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) != 0) continue;
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    if (file == nullptr) continue;
    std::string bytes(static_cast<size_t>(stat.size), '\0');
    const zip_int64_t read = zip_fread(file, bytes.data(), stat.size);
    zip_fclose(file);
    bytes.resize(read < 0 ? 0 : static_cast<size_t>(read));
    entries.emplace(stat.name, std::move(bytes));
  }
  zip_discard(archive);
  zip_error_fini(&zip_error);
  return entries;
}

}  // namespace navette::testing
