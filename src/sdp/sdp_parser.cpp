#include "sdp/sdp_parser.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/text.hpp"
#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

namespace {

using core::Error;
using core::makeError;
using core::Result;
using grammar::FieldReader;
using grammar::quote;

constexpr char kLineOrder[] = "v o s i u e p c b t r z k a m";

Error lineError(size_t lineNumber, const std::string& what) {
  return makeError("SDP line " + std::to_string(lineNumber) + ": " + what);
}

bool isRtpProfile(std::string_view proto) {
  // RTP/AVP, RTP/SAVP, RTP/AVPF, RTP/SAVPF, UDP/TLS/RTP/SAVPF, TCP/RTP/AVP...: <fmt> are payload types
  // (RFC 8866 §5.14).
  for (size_t i = 0; i + 4 <= proto.size(); ++i) {
    if (core::iequals(proto.substr(i, 4), "RTP/") && (i == 0 || proto[i - 1] == '/')) return true;
  }
  return false;
}

bool isProto(std::string_view proto) {
  // proto = token *("/" token) (RFC 8866 §9)
  if (proto.empty()) return false;
  size_t start = 0;
  while (true) {
    const size_t slash = proto.find('/', start);
    const std::string_view part =
        proto.substr(start, slash == std::string_view::npos ? proto.npos : slash - start);
    if (!grammar::isToken(part)) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// sess-id and sess-version are 1*DIGIT (RFC 8866 §9); kept as text, so only their length is bounded.
bool isDigits(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), core::isDigit);
}

Result<Origin> parseOrigin(std::string_view value) {
  // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> (RFC 8866 §5.2)
  FieldReader fields(value);
  std::string_view parts[6];
  for (auto& part : parts) {
    const auto field = fields.next();
    if (!field) break;
    part = *field;
  }
  if (parts[5].empty() || !fields.atEnd()) {
    return makeError(
        "o= needs exactly 6 fields <username> <sess-id> <sess-version> <nettype> <addrtype> "
        "<unicast-address> (RFC 8866 §5.2), got " +
        quote(value));
  }
  if (!grammar::isNonWsString(parts[0]))
    return makeError("o= username " + quote(parts[0]) + " is not valid (RFC 8866 §5.2)");
  if (!isDigits(parts[1])) {
    return makeError("o= sess-id " + quote(parts[1]) + " is not a decimal number (RFC 8866 §5.2)");
  }
  if (!isDigits(parts[2])) {
    return makeError("o= sess-version " + quote(parts[2]) + " is not a decimal number (RFC 8866 §5.2)");
  }
  if (!grammar::isToken(parts[3]))
    return makeError("o= nettype " + quote(parts[3]) + " is not a token (RFC 8866 §5.2)");
  if (!grammar::isToken(parts[4]))
    return makeError("o= addrtype " + quote(parts[4]) + " is not a token (RFC 8866 §5.2)");
  return Origin{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                std::string(parts[3]), std::string(parts[4]), std::string(parts[5])};
}

Result<Bandwidth> parseBandwidth(std::string_view value) {
  // b=<bwtype>:<bandwidth> (RFC 8866 §5.8)
  const size_t colon = value.find(':');
  if (colon == std::string_view::npos)
    return makeError("b= must be <bwtype>:<bandwidth> (RFC 8866 §5.8), got " + quote(value));
  const std::string_view type = value.substr(0, colon);
  const std::string_view amount = value.substr(colon + 1);
  if (!grammar::isToken(type))
    return makeError("b= bwtype " + quote(type) + " is not a token (RFC 8866 §5.8)");
  const auto number = core::parseUnsigned(amount, UINT64_MAX);
  if (!number) return makeError("b= bandwidth " + quote(amount) + " is not a decimal number (RFC 8866 §5.8)");
  return Bandwidth{std::string(type), *number};
}

Result<Timing> parseTime(std::string_view value) {
  // t=<start-time> <stop-time> (RFC 8866 §5.9), NTP seconds or 0
  FieldReader fields(value);
  const auto start = fields.next();
  const auto stop = fields.next();
  if (!start || !stop || !fields.atEnd())
    return makeError("t= needs <start-time> <stop-time> (RFC 8866 §5.9), got " + quote(value));
  const auto startTime = core::parseUnsigned(*start, UINT64_MAX);
  const auto stopTime = core::parseUnsigned(*stop, UINT64_MAX);
  if (!startTime || !stopTime)
    return makeError("t= times must be decimal numbers (RFC 8866 §5.9), got " + quote(value));
  Timing timing;
  timing.start = *startTime;
  timing.stop = *stopTime;
  return timing;
}

Result<RepeatTime> parseRepeat(std::string_view value) {
  // r=<repeat interval> <active duration> <offsets from start-time> (RFC 8866 §5.10)
  FieldReader fields(value);
  RepeatTime repeat;
  std::vector<std::string> parts;
  while (const auto field = fields.next()) {
    if (!grammar::isTypedTime(*field))
      return makeError("r= value " + quote(*field) + " is not a typed time (RFC 8866 §5.10)");
    parts.emplace_back(*field);
  }
  if (parts.size() < 3)
    return makeError("r= needs <interval> <duration> and at least one offset (RFC 8866 §5.10)");
  repeat.interval = std::move(parts[0]);
  repeat.duration = std::move(parts[1]);
  repeat.offsets.assign(std::make_move_iterator(parts.begin() + 2), std::make_move_iterator(parts.end()));
  return repeat;
}

Result<std::vector<TimeZoneAdjustment>> parseZone(std::string_view value) {
  // z=<adjustment time> <offset> <adjustment time> <offset> ... (RFC 8866 §5.11)
  FieldReader fields(value);
  std::vector<TimeZoneAdjustment> adjustments;
  while (const auto time = fields.next()) {
    const auto offset = fields.next();
    if (!offset) return makeError("z= adjustment time " + quote(*time) + " has no offset (RFC 8866 §5.11)");
    const auto seconds = core::parseUnsigned(*time, UINT64_MAX);
    if (!seconds)
      return makeError("z= adjustment time " + quote(*time) + " is not a decimal number (RFC 8866 §5.11)");
    if (!grammar::isTypedTime(*offset, true))
      return makeError("z= offset " + quote(*offset) + " is not a typed time (RFC 8866 §5.11)");
    adjustments.push_back(TimeZoneAdjustment{*seconds, std::string(*offset)});
  }
  if (adjustments.empty())
    return makeError("z= needs at least one <adjustment time> <offset> pair (RFC 8866 §5.11)");
  return adjustments;
}

Result<Attribute> parseAttribute(std::string_view value) {
  // a=<attribute> / a=<attribute>:<value> (RFC 8866 §5.13); att-field = token
  const size_t colon = value.find(':');
  const std::string_view name = value.substr(0, colon);
  if (!grammar::isToken(name))
    return makeError("a= name " + quote(name) + " is not a token (RFC 8866 §5.13)");
  Attribute attribute{std::string(name), std::nullopt};
  if (colon != std::string_view::npos) attribute.value = std::string(value.substr(colon + 1));
  return attribute;
}

Result<MediaDescription> parseMediaLine(std::string_view value) {
  // m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14)
  FieldReader fields(value);
  const auto media = fields.next();
  const auto port = fields.next();
  const auto proto = fields.next();
  if (!media || !port || !proto) {
    return makeError("m= needs <media> <port> <proto> <fmt> ... (RFC 8866 §5.14), got " + quote(value));
  }
  MediaDescription out;
  if (!grammar::isToken(*media))
    return makeError("m= media " + quote(*media) + " is not a token (RFC 8866 §5.14)");
  out.media = std::string(*media);
  const size_t slash = port->find('/');
  const auto portNumber = core::parseUnsigned(port->substr(0, slash), 65535);
  if (!portNumber) return makeError("m= port " + quote(*port) + " is not a number 0-65535 (RFC 8866 §5.14)");
  out.port = static_cast<uint16_t>(*portNumber);
  if (slash != std::string_view::npos) {
    const auto count = grammar::parseNumber(port->substr(slash + 1), 1, 65535);
    if (!count)
      return makeError("m= number of ports in " + quote(*port) + " is not a number 1-65535 (RFC 8866 §5.14)");
    out.portCount = static_cast<uint32_t>(*count);
  }
  if (!isProto(*proto))
    return makeError("m= proto " + quote(*proto) + " is not token *(\"/\" token) (RFC 8866 §5.14)");
  out.proto = std::string(*proto);
  const bool rtp = isRtpProfile(*proto);
  while (const auto format = fields.next()) {
    if (!grammar::isToken(*format))
      return makeError("m= format " + quote(*format) + " is not a token (RFC 8866 §5.14)");
    if (rtp && !grammar::parseNumber(*format, 0, 127)) {
      return makeError("m= format " + quote(*format) + " is not an RTP payload type 0-127 (RFC 8866 §5.14)");
    }
    out.formats.emplace_back(*format);
  }
  if (out.formats.empty()) return makeError("m= has no <fmt> (RFC 8866 §5.14: at least one is required)");
  return out;
}

// Where a line type sits in the order of RFC 8866 §5. t, r and z share one rank: their order among
// themselves is checked separately.
int sessionRank(char type) {
  switch (type) {
    case 'v':
      return 0;
    case 'o':
      return 1;
    case 's':
      return 2;
    case 'i':
      return 3;
    case 'u':
      return 4;
    case 'e':
      return 5;
    case 'p':
      return 6;
    case 'c':
      return 7;
    case 'b':
      return 8;
    case 't':
    case 'r':
    case 'z':
      return 9;
    case 'k':
      return 10;
    case 'a':
      return 11;
    default:
      return -1;
  }
}

int mediaRank(char type) {
  switch (type) {
    case 'i':
      return 1;
    case 'c':
      return 2;
    case 'b':
      return 3;
    case 'k':
      return 4;
    case 'a':
      return 5;
    default:
      return -1;
  }
}

bool isKnownType(char type) {
  return std::string_view("vosiuepcbtrzkam").find(type) != std::string_view::npos;
}

std::string typeName(char type) {
  return std::string(1, type) + "=";
}

// The state of one parse: which section we are in and the last line type seen there.
class LineParser {
 public:
  explicit LineParser(const ParseLimits& limits) : limits_(limits) { out_.timings.clear(); }

  Result<void> line(size_t number, char type, std::string_view value);
  Result<SessionDescription> finish(size_t lines);

 private:
  Result<void> sessionLine(size_t number, char type, std::string_view value);
  Result<void> mediaLine(size_t number, char type, std::string_view value);
  Result<void> startMedia(size_t number, std::string_view value);

  const ParseLimits& limits_;
  SessionDescription out_;
  bool inMedia_ = false;
  int rank_ = -1;
  char lastType_ = 0;
};

Result<void> LineParser::line(size_t number, char type, std::string_view value) {
  // RFC 8866 §5: v=, o=, s= are the first three lines, in that order.
  static constexpr char kFirst[] = {'v', 'o', 's'};
  if (number <= 3 && type != kFirst[number - 1]) {
    return lineError(number, "expected " + typeName(kFirst[number - 1]) + " but found " + typeName(type) +
                                 " (RFC 8866 §5: a description starts with v=, o=, s=)");
  }
  if (!isKnownType(type)) {
    return lineError(
        number, "unknown line type " + typeName(type) +
                    " (RFC 8866 §5: a description with a type letter not understood is ignored entirely)");
  }
  if (type == 'm') return startMedia(number, value);
  return inMedia_ ? mediaLine(number, type, value) : sessionLine(number, type, value);
}

Result<void> LineParser::sessionLine(size_t number, char type, std::string_view value) {
  const int rank = sessionRank(type);
  if (rank < rank_) {
    return lineError(number, typeName(type) + " after " + typeName(lastType_) +
                                 " is out of order (RFC 8866 §5: " + kLineOrder + ")");
  }
  const bool once =
      type == 'v' || type == 'o' || type == 's' || type == 'i' || type == 'u' || type == 'c' || type == 'k';
  if (once && type == lastType_)
    return lineError(number, "a second " + typeName(type) + " line (RFC 8866 §5: at most one)");

  auto wrap = [number](const Error& e) { return lineError(number, e.message); };
  switch (type) {
    case 'v':
      // RFC 8866 §5.1: "v=0"; there is no other version.
      if (value != "0")
        return lineError(number, "v=" + core::printable(value) + " is not version 0 (RFC 8866 §5.1)");
      break;
    case 'o': {
      auto origin = parseOrigin(value);
      if (!origin) return wrap(origin.error());
      out_.origin = std::move(*origin);
      break;
    }
    case 's':
      // RFC 8866 §5.3 asks for "s= " or "s=-" when there is no name; an empty s= is common enough in the
      // wild that rejecting it would refuse calls for no benefit.
      out_.sessionName = std::string(value);
      break;
    case 'i':
      out_.information = std::string(value);
      break;
    case 'u':
    case 'e':
    case 'p':
      if (value.empty()) return lineError(number, typeName(type) + " is empty (RFC 8866 §5.4-§5.6)");
      if (type == 'u') out_.uri = std::string(value);
      if (type == 'e') out_.emails.emplace_back(value);
      if (type == 'p') out_.phones.emplace_back(value);
      break;
    case 'c': {
      auto connection = parseConnection(value);
      if (!connection) return wrap(connection.error());
      out_.connection = std::move(*connection);
      break;
    }
    case 'b': {
      auto bandwidth = parseBandwidth(value);
      if (!bandwidth) return wrap(bandwidth.error());
      out_.bandwidths.push_back(std::move(*bandwidth));
      break;
    }
    case 't': {
      auto timing = parseTime(value);
      if (!timing) return wrap(timing.error());
      out_.timings.push_back(std::move(*timing));
      break;
    }
    case 'r': {
      // RFC 8866 §5.10: r= belongs to the t= line before it.
      if (lastType_ != 't' && lastType_ != 'r')
        return lineError(number, "r= must follow t= or r= (RFC 8866 §5.10)");
      auto repeat = parseRepeat(value);
      if (!repeat) return wrap(repeat.error());
      out_.timings.back().repeats.push_back(std::move(*repeat));
      break;
    }
    case 'z': {
      // RFC 8866 §5.11, §9: one z= closes a time description, after its t= and r= lines.
      if (lastType_ != 't' && lastType_ != 'r')
        return lineError(number, "z= must follow t= or r= (RFC 8866 §5.11)");
      auto zone = parseZone(value);
      if (!zone) return wrap(zone.error());
      out_.timings.back().zoneAdjustments = std::move(*zone);
      break;
    }
    case 'k':
      if (value.empty()) return lineError(number, "k= is empty (RFC 8866 §5.12)");
      out_.key = std::string(value);
      break;
    case 'a': {
      auto attribute = parseAttribute(value);
      if (!attribute) return wrap(attribute.error());
      out_.attributes.push_back(std::move(*attribute));
      break;
    }
    default:
      break;
  }
  if (rank > 9 && out_.timings.empty()) {
    return lineError(number, typeName(type) + " before any t= (RFC 8866 §5.9: at least one t= line)");
  }
  rank_ = rank;
  lastType_ = type;
  return {};
}

Result<void> LineParser::startMedia(size_t number, std::string_view value) {
  if (out_.timings.empty())
    return lineError(number, "m= before any t= (RFC 8866 §5.9: at least one t= line)");
  if (out_.media.size() >= limits_.maxMediaSections) {
    return lineError(number, "more than " + std::to_string(limits_.maxMediaSections) + " media sections");
  }
  auto media = parseMediaLine(value);
  if (!media) return lineError(number, media.error().message);
  out_.media.push_back(std::move(*media));
  inMedia_ = true;
  rank_ = 0;
  lastType_ = 'm';
  return {};
}

Result<void> LineParser::mediaLine(size_t number, char type, std::string_view value) {
  const int rank = mediaRank(type);
  if (rank < 0) {
    return lineError(number,
                     typeName(type) + " is not allowed in a media description (RFC 8866 §5: m i c b k a)");
  }
  if (rank < rank_) {
    return lineError(number, typeName(type) + " after " + typeName(lastType_) +
                                 " is out of order in a media description (RFC 8866 §5: m i c b k a)");
  }
  if ((type == 'i' || type == 'k') && type == lastType_) {
    return lineError(
        number, "a second " + typeName(type) + " line in a media description (RFC 8866 §5: at most one)");
  }
  MediaDescription& media = out_.media.back();
  auto wrap = [number](const Error& e) { return lineError(number, e.message); };
  switch (type) {
    case 'i':
      media.title = std::string(value);
      break;
    case 'c': {
      auto connection = parseConnection(value);
      if (!connection) return wrap(connection.error());
      media.connections.push_back(std::move(*connection));
      break;
    }
    case 'b': {
      auto bandwidth = parseBandwidth(value);
      if (!bandwidth) return wrap(bandwidth.error());
      media.bandwidths.push_back(std::move(*bandwidth));
      break;
    }
    case 'k':
      if (value.empty()) return lineError(number, "k= is empty (RFC 8866 §5.12)");
      media.key = std::string(value);
      break;
    case 'a': {
      auto attribute = parseAttribute(value);
      if (!attribute) return wrap(attribute.error());
      media.attributes.push_back(std::move(*attribute));
      break;
    }
    default:
      break;
  }
  rank_ = rank;
  lastType_ = type;
  return {};
}

Result<SessionDescription> LineParser::finish(size_t lines) {
  if (lines == 0) return makeError("SDP is empty (RFC 8866 §5: v=, o=, s= and t= are required)");
  if (lines < 3) {
    const char missing = lines < 2 ? 'o' : 's';
    return makeError("SDP ends after line " + std::to_string(lines) + " without " + typeName(missing) +
                     " (RFC 8866 §5: v=, o=, s= and t= are required)");
  }
  if (out_.timings.empty()) return makeError("SDP has no t= line (RFC 8866 §5.9: at least one is required)");
  return std::move(out_);
}

}  // namespace

Result<Connection> parseConnection(std::string_view value) {
  // c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7)
  FieldReader fields(value);
  const auto netType = fields.next();
  const auto addrType = fields.next();
  const auto address = fields.next();
  if (!address || !fields.atEnd()) {
    return makeError("c= needs exactly <nettype> <addrtype> <connection-address> (RFC 8866 §5.7), got " +
                     quote(value));
  }
  if (!grammar::isToken(*netType))
    return makeError("c= nettype " + quote(*netType) + " is not a token (RFC 8866 §5.7)");
  if (!grammar::isToken(*addrType))
    return makeError("c= addrtype " + quote(*addrType) + " is not a token (RFC 8866 §5.7)");
  Connection out{std::string(*netType), std::string(*addrType), {}, std::nullopt, std::nullopt};
  const bool ip4 = core::iequals(*addrType, "IP4");
  const bool ip6 = core::iequals(*addrType, "IP6");
  if (!ip4 && !ip6) {
    out.address = std::string(*address);  // another address family: kept as written
    return out;
  }
  // IP4 multicast: <base>/<ttl>[/<count>]; IP6 multicast: <base>[/<count>] (RFC 8866 §5.7)
  const size_t first = address->find('/');
  const std::string_view base = address->substr(0, first);
  if (!grammar::isNonWsString(base))
    return makeError("c= address " + quote(*address) + " has no base address (RFC 8866 §5.7)");
  out.address = std::string(base);
  if (first == std::string_view::npos) return out;
  const std::string_view suffix = address->substr(first + 1);
  const size_t second = suffix.find('/');
  if (ip6) {
    const auto count = grammar::parseNumber(suffix, 1, UINT32_MAX);
    if (!count)
      return makeError("c= IP6 address count in " + quote(*address) +
                       " is not a number >= 1 (RFC 8866 §5.7)");
    out.addressCount = static_cast<uint32_t>(*count);
    return out;
  }
  const auto ttl = core::parseUnsigned(suffix.substr(0, second), 255);
  if (!ttl) return makeError("c= TTL in " + quote(*address) + " is not a number 0-255 (RFC 8866 §5.7)");
  out.ttl = static_cast<uint32_t>(*ttl);
  if (second != std::string_view::npos) {
    const auto count = grammar::parseNumber(suffix.substr(second + 1), 1, UINT32_MAX);
    if (!count)
      return makeError("c= address count in " + quote(*address) + " is not a number >= 1 (RFC 8866 §5.7)");
    out.addressCount = static_cast<uint32_t>(*count);
  }
  return out;
}

Result<SessionDescription> SdpParser::parse(std::string_view text) const {
  if (text.size() > limits_.maxBytes) {
    return makeError("SDP of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                     std::to_string(limits_.maxBytes));
  }
  LineParser parser(limits_);
  size_t pos = 0;
  size_t number = 0;        // the current line
  size_t contentLines = 0;  // the last non-empty line
  size_t firstEmpty = 0;    // the first empty line seen, 0 when none
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (++number > limits_.maxLines) {
      return makeError("SDP has more than " + std::to_string(limits_.maxLines) + " lines");
    }
    // RFC 8866 §5 ends lines with CRLF; a lone LF is accepted because real peers send it.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      // Empty lines may only trail the description (a body that ends in an extra CRLF).
      if (firstEmpty == 0) firstEmpty = number;
      continue;
    }
    if (firstEmpty != 0) {
      return lineError(firstEmpty,
                       "empty line inside the description (RFC 8866 §5: every line is <type>=<value>)");
    }
    if (line.size() > limits_.maxLineBytes) {
      return lineError(number, "longer than " + std::to_string(limits_.maxLineBytes) + " bytes");
    }
    const char type = line[0];
    if (type < 'a' || type > 'z') {
      return lineError(number, quote(line.substr(0, 1)) +
                                   " is not a type letter (RFC 8866 §5: <type>=<value>, " +
                                   "<type> is one lowercase letter), line " + quote(line));
    }
    if (line.size() < 2 || line[1] != '=') {
      return lineError(
          number, "no '=' after the type letter (RFC 8866 §5: <type>=<value>, no spaces around '='), line " +
                      quote(line));
    }
    const std::string_view value = line.substr(2);
    if (!grammar::isByteString(value)) {
      return lineError(number,
                       "contains a NUL or a stray CR (RFC 8866 §9: byte-string), line " + quote(line));
    }
    contentLines = number;
    auto result = parser.line(number, type, value);
    if (!result) return result.error();
  }
  return parser.finish(contentLines);
}

Result<SessionDescription> parseSdp(std::string_view text) {
  return SdpParser().parse(text);
}

}  // namespace callgate::sdp
