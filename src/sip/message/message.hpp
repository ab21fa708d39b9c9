// A SIP request or response (RFC 3261 §7): start line, header fields in wire order, body.
//
// A parsed Message is a view into the buffer it was parsed from; keep that buffer alive, or call clone()
// to get a Message that owns its text. Messages built in code own theirs. Header values are kept as
// written (folds included) and parsed on demand by the helpers of header_values.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message/header_id.hpp"

namespace callgate::sip {

enum class Method : uint8_t {
  kOther,
  kInvite,
  kAck,
  kBye,
  kCancel,
  kRegister,
  kOptions,
  kPrack,
  kUpdate,
  kInfo,
  kRefer,
  kNotify,
  kSubscribe,
  kMessage,
  kPublish,
};

// Methods are case-sensitive (RFC 3261 §7.1): "invite" is an unknown method, not INVITE.
Method methodFromName(std::string_view name);
std::string_view methodName(Method method);  // empty for kOther

struct HeaderField {
  std::string_view name;   // as written (compact or long form)
  std::string_view value;  // LWS trimmed at both ends; inner folds kept as written
  HeaderId id = HeaderId::kOther;
  bool folded = false;  // the value holds CR or LF (a folded line): the writer collapses it to one SP
};

// Header fields in wire order. Up to kInline fields live inside the object: parsing a typical message does
// not allocate.
class HeaderList {
 public:
  static constexpr size_t kInline = 32;

  HeaderList() = default;
  HeaderList(const HeaderList& other);
  HeaderList& operator=(const HeaderList& other);
  HeaderList(HeaderList&& other) noexcept;
  HeaderList& operator=(HeaderList&& other) noexcept;
  ~HeaderList() = default;

  void push_back(const HeaderField& field);
  void clear();
  void erase(size_t index);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  HeaderField& operator[](size_t i) { return data()[i]; }
  const HeaderField& operator[](size_t i) const { return data()[i]; }
  HeaderField* data() { return size_ <= kInline && overflow_.empty() ? inline_.data() : overflow_.data(); }
  const HeaderField* data() const {
    return size_ <= kInline && overflow_.empty() ? inline_.data() : overflow_.data();
  }
  const HeaderField* begin() const { return data(); }
  const HeaderField* end() const { return data() + size_; }
  HeaderField* begin() { return data(); }
  HeaderField* end() { return data() + size_; }

 private:
  std::array<HeaderField, kInline> inline_{};
  std::vector<HeaderField> overflow_;  // holds every field once there are more than kInline
  size_t size_ = 0;
};

class Message {
 public:
  Message() = default;

  // Building messages in code: the text given is copied into storage the message owns.
  static Message request(std::string_view method, std::string_view requestUri);
  static Message response(int statusCode, std::string_view reason);
  void addHeader(std::string_view name, std::string_view value);
  void addHeader(HeaderId id, std::string_view value);
  // Replaces the value of the first header with this id, or adds one.
  void setHeader(HeaderId id, std::string_view value);
  // Replaces the value of the header at `index` (an index into headers()), e.g. the top Via that the
  // transport extends with received and rport (RFC 3261 §18.2.1, RFC 3581 §4).
  void setHeaderValue(size_t index, std::string_view value);
  // Removes every header with this id.
  void removeHeaders(HeaderId id);
  void setBody(std::string_view body);

  bool isRequest() const { return isRequest_; }
  bool isResponse() const { return !isRequest_; }

  // Request line.
  std::string_view method() const { return method_; }
  Method methodId() const { return methodId_; }
  std::string_view requestUri() const { return requestUri_; }
  // Status line.
  int statusCode() const { return statusCode_; }
  std::string_view reason() const { return reason_; }
  std::string_view version() const { return version_; }

  const HeaderList& headers() const { return headers_; }
  // The first header with this id, or null.
  const HeaderField* header(HeaderId id) const;
  // The first header of this name (long or compact form, any case), or null.
  const HeaderField* header(std::string_view name) const;
  // The value of the first header with this id, or "" when there is none.
  std::string_view headerValue(HeaderId id) const;
  size_t headerCount(HeaderId id) const;

  std::string_view body() const { return body_; }

  // The text the message was parsed from (empty for a built message).
  std::string_view raw() const { return raw_; }

  // A copy that owns all its text: safe to keep after the receive buffer is gone.
  Message clone() const;

  // Equal in meaning: start line, headers in order (same id, or the same name case-insensitively for
  // unknown headers; values equal after folding LWS; Content-Length, which only frames the body, aside), and
  // body.
  bool operator==(const Message& other) const;

 private:
  friend class MessageParser;
  std::string_view keep(std::string_view text);

  std::shared_ptr<struct MessageStorage> storage_;
  std::string_view raw_;
  bool isRequest_ = true;
  Method methodId_ = Method::kOther;
  std::string_view method_;
  std::string_view requestUri_;
  std::string_view version_;
  int statusCode_ = 0;
  std::string_view reason_;
  HeaderList headers_;
  std::string_view body_;
};

// Equal after collapsing each run of LWS (SP, HTAB, folds) into one SP and trimming: how two header values
// are compared for round trips.
bool lwsEqual(std::string_view a, std::string_view b);

}  // namespace callgate::sip
