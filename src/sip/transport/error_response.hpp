// The response a transport sends on its own to a request it cannot pass up (RFC 3261 §8.2.6): a 400 that
// names the problem, 505 for an unsupported version, 416 for an unsupported URI scheme, 513 for a message
// that is too large.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sip/message/message.hpp"

namespace callgate::sip {

constexpr size_t kMaxReasonPhraseBytes = 160;

// Text for a Reason-Phrase (RFC 3261 §25.1: printable UTF-8, SP and HTAB): control characters, CR and LF
// become SP, runs of SP collapse, invalid UTF-8 becomes '?', cut at `maxBytes` on a character boundary.
// Empty input gives "".
std::string sanitizeReasonPhrase(std::string_view text, size_t maxBytes = kMaxReasonPhraseBytes);

// The default phrase of a status code (RFC 3261 §21): "Bad Request" for 400 ... "" when not known.
std::string_view defaultReasonPhrase(int statusCode);

// RFC 3261 §8.2.6.2, the response to `request`: every Via (in order), From, Call-ID and CSeq copied; the To
// copied with `toTag` added when it has none (an empty `toTag` adds none); Record-Route copied when
// `copyRecordRoute` (responses that create a dialog, RFC 3261 §12.1.1). `reason` is sanitized; an empty one
// becomes the status code's default phrase.
Message makeResponse(const Message& request, int statusCode, std::string_view reason, std::string_view toTag,
                     bool copyRecordRoute = false);

// makeResponse for answers the transport gives itself: copies every Via (in order), From, To, Call-ID and
// CSeq of `request`; adds a To tag when the To has none. The tag is derived from the request (Call-ID, From,
// CSeq, top Via), so a retransmitted request gets the same response, as a stateless answer should (RFC 3261
// §16.11). `reason` is sanitized; an empty one becomes the status code's default phrase. Headers the request
// lacks are left out (the transport answers even a request without From so that its sender learns why).
Message makeErrorResponse(const Message& request, int statusCode, std::string_view reason);

}  // namespace callgate::sip
