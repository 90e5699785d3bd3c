// The MTOM reader on hand-written packages: LF-only files like the CNAM
// sample, base64 parts, percent-encoded cids, and each error it names.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/dmp/soap/mtom_reader.h"

namespace navette::adapters::dmp::soap {
namespace {

using ::testing::HasSubstr;

constexpr char kType[] =
    "Multipart/Related; boundary=\"b1\"; type=\"application/xop+xml\"; start=\"<root@x>\"";

TEST(MtomReaderTest, ReadsAnLfOnlyPackageWithPreambleFoldedHeadersAndEpilogue) {
  const std::string body =
      "preamble\n"
      "--b1\n"
      "Content-Type: text/xml;\n"
      "\tcharset=Cp1252\n"
      "content-id: <doc%201@x>\n"
      "\n"
      "<doc/>\n"
      "--b1\n"
      "Content-ID: <root@x>\n"
      "Content-Transfer-Encoding: 8bit\n"
      "\n"
      "<Envelope/>\n"
      "--b1--\n"
      "epilogue";
  absl::StatusOr<MtomMessage> read = ReadMtom(kType, body);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->root.content_id, "root@x");  // the start part, though second
  EXPECT_EQ(read->root.bytes, "<Envelope/>");
  ASSERT_EQ(read->attachments.size(), 1u);
  EXPECT_EQ(read->attachments[0].content_type, "text/xml; charset=Cp1252");
  EXPECT_EQ(read->attachments[0].bytes, "<doc/>");
  // A cid: URL is percent-decoded (RFC 2392); a bare Content-ID is taken as is.
  EXPECT_NE(read->FindByHref("cid:doc%25201@x"), nullptr);
  EXPECT_EQ(read->FindByHref("cid:doc%201@x"), nullptr);  // that is "doc 1@x"
  EXPECT_NE(read->FindByHref("doc%201@x"), nullptr);
}

TEST(MtomReaderTest, DecodesBase64AndFindsPercentEncodedCids) {
  const std::string body =
      "--b1\r\nContent-ID: <root@x>\r\n\r\n<E/>\r\n"
      "--b1\r\nContent-ID: <a b@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "AAEC\r\nAw==\r\n"
      "--b1--\r\n";
  absl::StatusOr<MtomMessage> read = ReadMtom(kType, body);
  ASSERT_TRUE(read.ok()) << read.status();
  const MtomPart* part = read->FindByHref("cid:a%20b@x");
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->bytes, std::string("\0\1\2\3", 4));
}

TEST(MtomReaderTest, WithoutStartTheFirstPartIsTheRoot) {
  absl::StatusOr<MtomMessage> read =
      ReadMtom("multipart/related; boundary=b1",
               "--b1\r\n\r\n<E/>\r\n--b1\r\nContent-ID: <d@x>\r\n\r\nD\r\n--b1--");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->root.bytes, "<E/>");
  EXPECT_EQ(read->root.content_id, "");
  ASSERT_EQ(read->attachments.size(), 1u);
  EXPECT_EQ(read->attachments[0].bytes, "D");
}

TEST(MtomReaderTest, NamesEachError) {
  const std::string good = "--b1\r\nContent-ID: <root@x>\r\n\r\n<E/>\r\n--b1--\r\n";
  EXPECT_THAT(ReadMtom("application/soap+xml", good).status().message(),
              HasSubstr("not multipart/related"));
  EXPECT_THAT(ReadMtom("multipart/related; start=\"<root@x>\"", good).status().message(),
              HasSubstr("no boundary parameter"));
  EXPECT_THAT(ReadMtom("multipart/related; boundary=zz", good).status().message(),
              HasSubstr("occurs nowhere"));
  EXPECT_THAT(
      ReadMtom("multipart/related; boundary=b1; start=\"<other@x>\"", good).status().message(),
      HasSubstr("no part has the start Content-ID <other@x>"));
  EXPECT_THAT(ReadMtom(kType, "--b1\r\nContent-ID: <root@x>\r\n\r\n<E/>").status().message(),
              HasSubstr("no closing boundary"));
  EXPECT_THAT(ReadMtom(kType,
                       "--b1\r\nContent-ID: <root@x>\r\n\r\n<E/>\r\n"
                       "--b1\r\nContent-Type: text/xml\r\n\r\nD\r\n--b1--")
                  .status()
                  .message(),
              HasSubstr("part 2 (text/xml) has no Content-ID"));
  EXPECT_THAT(ReadMtom(kType,
                       "--b1\r\nContent-ID: <root@x>\r\n\r\n<E/>\r\n"
                       "--b1\r\nContent-ID: <d@x>\r\n\r\n1\r\n"
                       "--b1\r\nContent-ID: <d@x>\r\n\r\n2\r\n--b1--")
                  .status()
                  .message(),
              HasSubstr("<d@x> used twice"));
  EXPECT_THAT(
      ReadMtom(kType, "--b1\r\nContent-ID: <root@x>\r\nno blank line\r\n--b1--").status().message(),
      HasSubstr("part 1: no empty line after its headers"));
  EXPECT_THAT(ReadMtom(kType,
                       "--b1\r\nContent-ID: <root@x>\r\nContent-Transfer-Encoding: "
                       "quoted-printable\r\n\r\nx\r\n--b1--")
                  .status()
                  .message(),
              HasSubstr("unsupported Content-Transfer-Encoding quoted-printable"));
  EXPECT_THAT(ReadMtom(kType, "--b1--\r\n").status().message(), HasSubstr("no part"));
}

TEST(MtomReaderTest, SoapXmlOfHttpBodyUnwrapsOnlyMultipart) {
  EXPECT_EQ(*SoapXmlOfHttpBody("application/soap+xml; charset=UTF-8", "<E/>"), "<E/>");
  EXPECT_EQ(*SoapXmlOfHttpBody("", "<E/>"), "<E/>");
  absl::StatusOr<std::string> unwrapped = SoapXmlOfHttpBody(
      "multipart/related; boundary=b1", "--b1\r\nContent-ID: <r@x>\r\n\r\n<E/>\r\n--b1--");
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status();
  EXPECT_EQ(*unwrapped, "<E/>");
}

TEST(MtomReaderTest, HeaderParameterHandlesQuotesAndCase) {
  const std::string value =
      "multipart/related; Type=\"application/xop+xml\"; start-info=\"a; b\"; boundary=x\\y";
  EXPECT_EQ(HeaderParameter(value, "type"), "application/xop+xml");
  EXPECT_EQ(HeaderParameter(value, "start-info"), "a; b");
  EXPECT_EQ(HeaderParameter(value, "boundary"), "x\\y");
  EXPECT_EQ(HeaderParameter(value, "start"), "");
}

}  // namespace
}  // namespace navette::adapters::dmp::soap
