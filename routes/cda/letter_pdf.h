// Renders a structured letter (title, sections of text) to a readable PDF
// with cairo and pango: A4 pages, the hospital's header on each page,
// correct French text (UTF-8, é è ç ô œ), wrapped paragraphs, page numbers.
// build_cda carries the PDF as the N1 body of an LDL-SES document when a
// discharge letter arrives as sections without a PDF.
//
// Page layout (points, A4 = 595.28 x 841.89, margins 56.7 = 2 cm):
//   top of every page   the hospital's name (bold) and its header lines,
//                       then a rule
//   first page only     the title (bold, large), the patient line, the
//                       author and date lines
//   flowing             each section: its title (bold), then its text cut
//                       into paragraphs on blank lines; single newlines stay
//                       line breaks; lines wrap at words (at characters for
//                       a word wider than the page)
//   bottom of each page "Page n / N", centred
// A section that does not fit in what is left of a page starts on the next
// one if it fits there whole; a longer section flows line by line, its title
// never left alone at the foot of a page.
//
// Deterministic: the same input gives the same bytes (the PDF's creation
// date is `creation_date`, never the clock), so a replay re-emits the same
// document. Thread-safe: each call has its own surface and pango context.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/document.pb.h"

namespace navette::routes::cda {

struct LetterPdfInput {
  std::string hospital_name;
  std::vector<std::string> header_lines;  // config hospital.letter_header
  std::string title;                      // e.g. "Lettre de liaison à la sortie"
  std::string patient_line;               // "Patient : NOM Prénom, né(e) le 28/03/1979"
  std::string author_line;                // "Dr Prénom NOM"
  std::string date_line;                  // "Paris, le 3 décembre 2026"
  std::span<const navette::document::Section> sections;
  // The PDF's CreationDate, ISO 8601 ("2026-12-03T10:15:00+01:00"), taken
  // from the document (its effective time), never from the clock, so that
  // the same letter gives the same bytes; empty writes the epoch.
  std::string creation_date;
};

// The PDF bytes. InvalidArgument naming the field ("sections[2].text") when
// a text is not valid UTF-8; FailedPrecondition when the DejaVu Sans font
// (Debian fonts-dejavu-core) is not installed; Internal when cairo fails.
absl::StatusOr<std::string> RenderLetterPdf(const LetterPdfInput& input);

}  // namespace navette::routes::cda
