#include "sip/ua/extensions.hpp"

#include "core/text.hpp"
#include "sip/message/char_class.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/params.hpp"

namespace callgate::sip {
namespace {

constexpr uint64_t kMaxU32 = 0xFFFFFFFFu;

// The next LWS-separated word of `rest`, which moves past it.
std::string_view nextWord(std::string_view& rest) {
  rest = core::trimLws(rest);
  size_t end = 0;
  while (end < rest.size() && !core::isWsp(rest[end]) && rest[end] != '\r' && rest[end] != '\n') ++end;
  std::string_view word = rest.substr(0, end);
  rest.remove_prefix(end);
  return word;
}

}  // namespace

std::vector<std::string_view> optionTags(const Message& message, HeaderId id) {
  std::vector<std::string_view> tags;
  for (const HeaderField& field : message.headers()) {
    if (field.id != id) continue;
    ListSplitter splitter(field.value);
    while (auto item = splitter.next()) {
      std::string_view tag = core::trimLws(*item);
      if (!tag.empty()) tags.push_back(tag);
    }
  }
  return tags;
}

bool hasOptionTag(const Message& message, HeaderId id, std::string_view tag) {
  for (std::string_view t : optionTags(message, id)) {
    if (t == tag) return true;
  }
  return false;
}

std::string_view refresherName(SessionExpires::Refresher refresher) {
  switch (refresher) {
    case SessionExpires::Refresher::kUac:
      return "uac";
    case SessionExpires::Refresher::kUas:
      return "uas";
    case SessionExpires::Refresher::kUnspecified:
      break;
  }
  return "";
}

core::Result<std::optional<SessionExpires>> sessionExpiresOf(const Message& message) {
  const HeaderField* field = message.header(HeaderId::kSessionExpires);
  if (field == nullptr) return std::optional<SessionExpires>{};
  std::string_view value = core::trimLws(field->value);
  const size_t semicolon = value.find(';');
  auto seconds = core::parseUnsigned(core::trimLws(value.substr(0, semicolon)), kMaxU32);
  if (!seconds || *seconds == 0) {
    return core::makeError(
        "Bad Session-Expires: '" + core::printable(field->value) + "' is not delta-seconds (RFC 4028 §4)",
        400);
  }
  SessionExpires out;
  out.seconds = static_cast<uint32_t>(*seconds);
  if (semicolon != std::string_view::npos) {
    if (auto refresher = findParam(value.substr(semicolon), "refresher")) {
      if (core::iequals(*refresher, "uac")) {
        out.refresher = SessionExpires::Refresher::kUac;
      } else if (core::iequals(*refresher, "uas")) {
        out.refresher = SessionExpires::Refresher::kUas;
      } else {
        return core::makeError("Bad Session-Expires: refresher must be uac or uas (RFC 4028 §4), not '" +
                                   core::printable(*refresher) + "'",
                               400);
      }
    }
  }
  return std::optional<SessionExpires>{out};
}

core::Result<std::optional<uint32_t>> minSeOf(const Message& message) {
  const HeaderField* field = message.header(HeaderId::kMinSE);
  if (field == nullptr) return std::optional<uint32_t>{};
  std::string_view value = core::trimLws(field->value);
  auto seconds = core::parseUnsigned(core::trimLws(value.substr(0, value.find(';'))), kMaxU32);
  if (!seconds) {
    return core::makeError(
        "Bad Min-SE: '" + core::printable(field->value) + "' is not delta-seconds (RFC 4028 §5)", 400);
  }
  return std::optional<uint32_t>{static_cast<uint32_t>(*seconds)};
}

std::optional<uint32_t> parseRSeq(std::string_view value) {
  auto number = core::parseUnsigned(core::trimLws(value), kMaxU32);
  if (!number || *number == 0) return std::nullopt;
  return static_cast<uint32_t>(*number);
}

std::optional<RAck> parseRAck(std::string_view value) {
  std::string_view rest = value;
  auto rseq = parseRSeq(nextWord(rest));
  auto cseq = core::parseUnsigned(nextWord(rest), kMaxU32);
  std::string_view method = nextWord(rest);
  if (!rseq || !cseq || method.empty() || !chars::isToken(method) || !core::trimLws(rest).empty()) {
    return std::nullopt;
  }
  return RAck{*rseq, static_cast<uint32_t>(*cseq), method};
}

std::optional<SipFragStatus> parseSipFragStatus(std::string_view body) {
  std::string_view line = body.substr(0, body.find_first_of("\r\n"));
  if (!line.starts_with("SIP/2.0 ")) return std::nullopt;
  line.remove_prefix(8);
  if (line.size() < 3) return std::nullopt;
  auto status = core::parseUnsigned(line.substr(0, 3), 699);
  if (!status || *status < 100 || (line.size() > 3 && line[3] != ' ')) return std::nullopt;
  std::string_view reason = line.size() > 4 ? line.substr(4) : std::string_view();
  return SipFragStatus{static_cast<int>(*status), std::string(core::trimLws(reason))};
}

}  // namespace callgate::sip
