#include "routes/cda/letter_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/printable.h"

namespace navette::routes::cda {
namespace {

// A4 in points, 2 cm margins.
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.890;
constexpr double kMargin = 56.693;
constexpr double kContentWidth = kPageWidth - 2 * kMargin;
constexpr double kBodyBottom = kPageHeight - kMargin;
constexpr double kFooterBaseline = kPageHeight - kMargin / 2;
constexpr double kRuleGap = 14;  // between the header's rule and the body
// The creation date of a letter given none: the epoch, as reproducible
// builds do with SOURCE_DATE_EPOCH=0, rather than the clock.
constexpr char kNoCreationDate[] = "1970-01-01T00:00:00Z";

// DejaVu Sans covers all of Latin (œ, ’, « », the accented capitals), so
// fontconfig never substitutes a font for some characters of a French text.
constexpr char kFamily[] = "DejaVu Sans";
constexpr char kHospitalFont[] = "DejaVu Sans Bold 11";
constexpr char kHeaderFont[] = "DejaVu Sans 8.5";
constexpr char kTitleFont[] = "DejaVu Sans Bold 15";
constexpr char kLineFont[] = "DejaVu Sans 10";
constexpr char kSectionTitleFont[] = "DejaVu Sans Bold 11.5";
constexpr char kTextFont[] = "DejaVu Sans 10";
constexpr char kFooterFont[] = "DejaVu Sans 8.5";

constexpr double kSectionSpace = 14;    // before a section's title
constexpr double kTitleGap = 4;         // between a section's title and its text
constexpr double kParagraphSpace = 6;   // between paragraphs
constexpr double kFrontLineSpace = 3;   // between the patient, author, date lines
constexpr int kLinesKeptWithTitle = 2;  // a section title never ends a page alone

struct GObjectDeleter {
  void operator()(void* object) const { g_object_unref(object); }
};
struct FontDescriptionDeleter {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct FontOptionsDeleter {
  void operator()(cairo_font_options_t* o) const { cairo_font_options_destroy(o); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectDeleter>;
using ContextPtr = std::unique_ptr<PangoContext, GObjectDeleter>;
using FontDescriptionPtr = std::unique_ptr<PangoFontDescription, FontDescriptionDeleter>;

double FromPango(int units) { return pango_units_to_double(units); }

// Empty when `text` is valid UTF-8 without NUL, else what is wrong.
std::string Utf8Problem(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t code_point = 0;
    const size_t length = printable_internal::Utf8SequenceLength(text, i, &code_point);
    if (length == 0) return absl::StrCat("not valid UTF-8 at byte ", i);
    if (code_point == 0) return absl::StrCat("NUL character at byte ", i);
    i += length;
  }
  return "";
}

absl::Status CheckTexts(const LetterPdfInput& input) {
  const auto check = [](const std::string& field, std::string_view text) -> absl::Status {
    if (std::string problem = Utf8Problem(text); !problem.empty())
      return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
    return absl::OkStatus();
  };
  for (const auto& [field, text] :
       {std::pair<std::string, std::string_view>{"hospital_name", input.hospital_name},
        {"title", input.title},
        {"patient_line", input.patient_line},
        {"author_line", input.author_line},
        {"date_line", input.date_line},
        {"creation_date", input.creation_date}}) {
    if (absl::Status s = check(field, text); !s.ok()) return s;
  }
  for (size_t i = 0; i < input.header_lines.size(); ++i) {
    if (absl::Status s = check(absl::StrCat("header_lines[", i, "]"), input.header_lines[i]);
        !s.ok())
      return s;
  }
  for (size_t i = 0; i < input.sections.size(); ++i) {
    const auto& section = input.sections[i];
    const std::string name = absl::StrCat("sections[", i, "]");
    if (absl::Status s = check(name + ".title", section.title()); !s.ok()) return s;
    if (std::string problem = Utf8Problem(section.text()); !problem.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ".text (section \"", Printable(section.title(), 80), "\"): ", problem));
    }
  }
  return absl::OkStatus();
}

// The text's paragraphs: cut on blank (or whitespace-only) lines, CR LF read
// as LF; a single newline stays inside its paragraph as a line break.
std::vector<std::string> Paragraphs(std::string_view text) {
  std::vector<std::string> paragraphs;
  std::string current;
  const auto flush = [&] {
    while (!current.empty() && current.back() == '\n') current.pop_back();
    if (!current.empty()) paragraphs.push_back(std::move(current));
    current.clear();
  };
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      flush();
      continue;
    }
    current.append(line);
    current.push_back('\n');
  }
  flush();
  return paragraphs;
}

// Fontconfig reads its configuration once, here, rather than in whichever
// threads render their first letter at the same time; the check that the
// family is installed (fontconfig would otherwise substitute silently) is
// done once too.
absl::Status FontsReady() {
  static std::once_flag once;
  static absl::Status status;
  std::call_once(once, [] {
    PangoFontMap* map = pango_cairo_font_map_get_default();  // per thread, not ours
    ContextPtr context(pango_font_map_create_context(map));
    FontDescriptionPtr wanted(pango_font_description_from_string(kLineFont));
    std::unique_ptr<PangoFont, GObjectDeleter> font(
        pango_font_map_load_font(map, context.get(), wanted.get()));
    std::string family;
    if (font != nullptr) {
      FontDescriptionPtr got(pango_font_describe(font.get()));
      if (const char* name = pango_font_description_get_family(got.get())) family = name;
    }
    if (family != kFamily) {
      status = absl::FailedPreconditionError(
          absl::StrCat("letter PDF: font \"", kFamily, "\" is not installed (Debian package ",
                       "fonts-dejavu-core); fontconfig offered \"", family, "\""));
    }
  });
  return status;
}

// One laid-out line of the body, with the space to leave above it.
struct Line {
  PangoLayout* layout;
  int index;
  double height;
  double baseline;  // from the line's top
  double x;         // the alignment's offset
  double space_before;
  // How many following lines must share this line's page (a section title
  // with the first lines of its text).
  int keep_with_next = 0;
};

// A run of lines kept on one page when it fits on one: a section, or the
// letter's title block.
using Block = std::vector<Line>;

class LetterRenderer {
 public:
  explicit LetterRenderer(PangoContext* context) : context_(context) {}

  PangoLayout* Layout(std::string_view text, const char* font,
                      PangoAlignment alignment = PANGO_ALIGN_LEFT) {
    LayoutPtr layout(pango_layout_new(context_));
    FontDescriptionPtr description(pango_font_description_from_string(font));
    pango_layout_set_font_description(layout.get(), description.get());
    pango_layout_set_width(layout.get(), pango_units_from_double(kContentWidth));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(layout.get(), alignment);
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    layouts_.push_back(std::move(layout));
    return layouts_.back().get();
  }

  // Appends the layout's lines to `block`, the first with `space_before`.
  static void AddLines(PangoLayout* layout, double space_before, Block& block) {
    PangoLayoutIter* iter = pango_layout_get_iter(layout);
    int index = 0;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      const int baseline = pango_layout_iter_get_baseline(iter);
      block.push_back(Line{layout, index, FromPango(logical.height),
                           FromPango(baseline - logical.y), FromPango(logical.x),
                           index == 0 ? space_before : 0.0});
      ++index;
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
  }

 private:
  PangoContext* context_;
  std::vector<LayoutPtr> layouts_;  // alive until the pages are drawn
};

struct PlacedLine {
  const Line* line;
  double top;
};
using Page = std::vector<PlacedLine>;

// Cuts the blocks into pages between `body_top` and kBodyBottom.
std::vector<Page> Paginate(const std::vector<Block>& blocks, double body_top) {
  std::vector<Page> pages(1);
  double y = body_top;
  const auto at_top = [&] { return pages.back().empty(); };
  const auto new_page = [&] {
    pages.emplace_back();
    y = body_top;
  };
  const auto height_from = [](const Block& block, size_t first, size_t count) {
    double height = block[first].height;
    for (size_t i = first + 1; i < std::min(block.size(), first + count + 1); ++i)
      height += block[i].space_before + block[i].height;
    return height;
  };
  for (const Block& block : blocks) {
    if (block.empty()) continue;
    const double whole = height_from(block, 0, block.size());
    // Moved whole to the next page only when it fits there.
    if (!at_top() && y + block[0].space_before + whole > kBodyBottom &&
        body_top + whole <= kBodyBottom) {
      new_page();
    }
    for (size_t i = 0; i < block.size(); ++i) {
      const Line& line = block[i];
      const double space = at_top() ? 0 : line.space_before;
      const double needed = height_from(block, i, static_cast<size_t>(line.keep_with_next));
      if (!at_top() && y + space + needed > kBodyBottom) new_page();
      y += at_top() ? 0 : line.space_before;
      pages.back().push_back(PlacedLine{&line, y});
      y += line.height;
    }
  }
  return pages;
}

void DrawLine(cairo_t* cr, const Line& line, double top) {
  cairo_move_to(cr, kMargin + line.x, top + line.baseline);
  pango_cairo_show_layout_line(cr, pango_layout_get_line_readonly(line.layout, line.index));
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

absl::StatusOr<std::string> RenderLetterPdf(const LetterPdfInput& input) {
  if (absl::Status s = CheckTexts(input); !s.ok()) return s;
  if (absl::Status s = FontsReady(); !s.ok()) return s;

  std::string pdf;
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      cairo_pdf_surface_create_for_stream(AppendToString, &pdf, kPageWidth, kPageHeight));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(
        absl::StrCat("letter PDF: ", cairo_status_to_string(cairo_surface_status(surface.get()))));
  }
  // The metadata a reader shows. The creation date comes from the input:
  // left unset, cairo 1.16 writes the clock's time and no two renderings of
  // the same letter would be the same bytes.
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, input.title.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "navette");
  cairo_pdf_surface_set_metadata(
      surface.get(), CAIRO_PDF_METADATA_CREATE_DATE,
      input.creation_date.empty() ? kNoCreationDate : input.creation_date.c_str());
  std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
  ContextPtr context(pango_cairo_create_context(cr.get()));
  // Unhinted metrics: the text is laid out for the page, not for a screen's
  // pixel grid, and the same on every machine with the same fonts.
  std::unique_ptr<cairo_font_options_t, FontOptionsDeleter> options(cairo_font_options_create());
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context.get(), options.get());
  pango_context_set_language(context.get(), pango_language_from_string("fr-FR"));

  LetterRenderer renderer(context.get());

  // The header, the same on every page.
  Block header;
  LetterRenderer::AddLines(renderer.Layout(input.hospital_name, kHospitalFont), 0, header);
  for (const std::string& line : input.header_lines)
    LetterRenderer::AddLines(renderer.Layout(line, kHeaderFont), 0, header);
  double header_height = 0;
  for (const Line& line : header) header_height += line.height;
  const double rule_y = kMargin + header_height + kRuleGap / 2;
  const double body_top = kMargin + header_height + kRuleGap;

  std::vector<Block> blocks;
  Block front;
  if (!input.title.empty())
    LetterRenderer::AddLines(renderer.Layout(input.title, kTitleFont), 0, front);
  bool first_line = true;
  for (const std::string* line : {&input.patient_line, &input.author_line, &input.date_line}) {
    if (line->empty()) continue;
    LetterRenderer::AddLines(renderer.Layout(*line, kLineFont), first_line ? 10.0 : kFrontLineSpace,
                             front);
    first_line = false;
  }
  blocks.push_back(std::move(front));
  for (const auto& section : input.sections) {
    Block block;
    if (!section.title().empty()) {
      LetterRenderer::AddLines(renderer.Layout(section.title(), kSectionTitleFont), kSectionSpace,
                               block);
      block.back().keep_with_next = kLinesKeptWithTitle;
    }
    bool first_paragraph = true;
    for (const std::string& paragraph : Paragraphs(section.text())) {
      const double space =
          first_paragraph ? (block.empty() ? kSectionSpace : kTitleGap) : kParagraphSpace;
      LetterRenderer::AddLines(renderer.Layout(paragraph, kTextFont), space, block);
      first_paragraph = false;
    }
    blocks.push_back(std::move(block));
  }
  const std::vector<Page> pages = Paginate(blocks, body_top);

  for (size_t p = 0; p < pages.size(); ++p) {
    cairo_set_source_rgb(cr.get(), 0, 0, 0);
    double y = kMargin;
    for (const Line& line : header) {
      DrawLine(cr.get(), line, y);
      y += line.height;
    }
    cairo_set_line_width(cr.get(), 0.6);
    cairo_move_to(cr.get(), kMargin, rule_y);
    cairo_line_to(cr.get(), kPageWidth - kMargin, rule_y);
    cairo_stroke(cr.get());
    for (const PlacedLine& placed : pages[p]) DrawLine(cr.get(), *placed.line, placed.top);

    const std::string number = absl::StrCat("Page ", p + 1, " / ", pages.size());
    PangoLayout* footer = renderer.Layout(number, kFooterFont, PANGO_ALIGN_CENTER);
    Block footer_lines;
    LetterRenderer::AddLines(footer, 0, footer_lines);
    DrawLine(cr.get(), footer_lines.front(), kFooterBaseline - footer_lines.front().baseline);
    cairo_show_page(cr.get());
  }
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(
        absl::StrCat("letter PDF: ", cairo_status_to_string(cairo_surface_status(surface.get()))));
  }
  surface.reset();
  return pdf;
}

}  // namespace navette::routes::cda
