// Writing a SessionDescription as canonical SDP text: the line order of RFC 8866 §5, CRLF after every line,
// one SP between fields, attributes in model order. parseSdp(writeSdp(d)) == d for every d the parser
// produced; a description built in code must keep to the same grammar (no CR/LF inside values).
#pragma once

#include <string>

#include "sdp/session_description.hpp"

namespace callgate::sdp {

std::string writeSdp(const SessionDescription& description);

// Appends to `out`, for callers that assemble a SIP message body in place.
void appendSdp(std::string& out, const SessionDescription& description);

// <nettype> <addrtype> <connection-address> as in c= (RFC 8866 §5.7), without "c=" and line end.
std::string writeConnection(const Connection& connection);

}  // namespace callgate::sdp
