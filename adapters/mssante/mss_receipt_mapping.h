// What a mail read from the applicative mailbox means to navette
// (docs/mssante.md#receipts): a DSN (RFC 3464) about a mail the mssante
// destination sent becomes an MssDeliveryReceipt, an MDN (RFC 8098) an
// MssReadReceipt, each addressed to the navette message and destination its
// original Message-ID names (mss_mail.h). Anything else, including a
// receipt about a mail navette did not send, is an ordinary mail.
#pragma once

#include <optional>

#include "adapters/late_receipts.h"
#include "adapters/mssante/mime/mail_receipts.h"

namespace navette::adapters::mssante {

// nullopt: not a receipt of navette's (keep it as an ordinary mail).
std::optional<LateReceipt> LateReceiptOf(const mime::ParsedMail& mail);

// The SMTPERRORCODE of a DSN recipient (ERR-5 of ZAM^Z02): the reply code
// its Diagnostic-Code quotes ("smtp; 550 5.1.1 ..."), else 550 or 450 from
// the status class.
std::string SmtpErrorCode(const mime::DeliveryStatus& status);

// What a history line may say of an address: a patient's mailbox
// (<INS>@patient...) is health data.
std::string PrintableAddress(std::string_view address);

}  // namespace navette::adapters::mssante
