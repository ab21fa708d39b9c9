#include "sip/message/message.hpp"

#include <array>
#include <forward_list>

#include "core/text.hpp"

namespace callgate::sip {

// Text a message owns: each piece is a separate string, so views into earlier pieces stay valid as pieces
// are added. Shared between copies of a Message (pieces are never changed once added).
struct MessageStorage {
  std::forward_list<std::string> pieces;
};

namespace {

struct MethodEntry {
  Method id;
  std::string_view name;
};
constexpr std::array<MethodEntry, 14> kMethods{{
    {Method::kInvite, "INVITE"},
    {Method::kAck, "ACK"},
    {Method::kBye, "BYE"},
    {Method::kCancel, "CANCEL"},
    {Method::kRegister, "REGISTER"},
    {Method::kOptions, "OPTIONS"},
    {Method::kPrack, "PRACK"},
    {Method::kUpdate, "UPDATE"},
    {Method::kInfo, "INFO"},
    {Method::kRefer, "REFER"},
    {Method::kNotify, "NOTIFY"},
    {Method::kSubscribe, "SUBSCRIBE"},
    {Method::kMessage, "MESSAGE"},
    {Method::kPublish, "PUBLISH"},
}};

bool isLws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

Method methodFromName(std::string_view name) {
  for (const auto& m : kMethods) {
    if (m.name == name) return m.id;
  }
  return Method::kOther;
}

std::string_view methodName(Method method) {
  for (const auto& m : kMethods) {
    if (m.id == method) return m.name;
  }
  return {};
}

HeaderList::HeaderList(const HeaderList& other) {
  *this = other;
}

HeaderList& HeaderList::operator=(const HeaderList& other) {
  if (this == &other) return *this;
  clear();
  for (const auto& field : other) push_back(field);
  return *this;
}

HeaderList::HeaderList(HeaderList&& other) noexcept
    : inline_(other.inline_), overflow_(std::move(other.overflow_)), size_(other.size_) {
  other.overflow_.clear();
  other.size_ = 0;
}

HeaderList& HeaderList::operator=(HeaderList&& other) noexcept {
  if (this == &other) return *this;
  inline_ = other.inline_;
  overflow_ = std::move(other.overflow_);
  size_ = other.size_;
  other.overflow_.clear();
  other.size_ = 0;
  return *this;
}

void HeaderList::push_back(const HeaderField& field) {
  if (size_ < kInline && overflow_.empty()) {
    inline_[size_++] = field;
    return;
  }
  if (overflow_.empty()) {
    overflow_.reserve(kInline * 2);
    overflow_.assign(inline_.begin(), inline_.begin() + static_cast<std::ptrdiff_t>(size_));
  }
  overflow_.push_back(field);
  ++size_;
}

void HeaderList::clear() {
  overflow_.clear();
  size_ = 0;
}

void HeaderList::erase(size_t index) {
  if (index >= size_) return;
  HeaderField* fields = data();
  for (size_t i = index + 1; i < size_; ++i) fields[i - 1] = fields[i];
  if (!overflow_.empty()) overflow_.pop_back();
  --size_;
}

std::string_view Message::keep(std::string_view text) {
  if (!storage_) storage_ = std::make_shared<MessageStorage>();
  storage_->pieces.emplace_front(text);
  return storage_->pieces.front();
}

Message Message::request(std::string_view method, std::string_view requestUri) {
  Message m;
  m.isRequest_ = true;
  m.method_ = m.keep(method);
  m.methodId_ = methodFromName(method);
  m.requestUri_ = m.keep(requestUri);
  m.version_ = "SIP/2.0";
  return m;
}

Message Message::response(int statusCode, std::string_view reason) {
  Message m;
  m.isRequest_ = false;
  m.statusCode_ = statusCode;
  m.reason_ = m.keep(reason);
  m.version_ = "SIP/2.0";
  return m;
}

namespace {
// A value given in code may hold CR or LF; marked folded, the writer turns each such run into one SP, so a
// value can never end its header line and inject another.
bool hasLineBreak(std::string_view value) {
  return value.find_first_of("\r\n") != std::string_view::npos;
}
}  // namespace

void Message::addHeader(std::string_view name, std::string_view value) {
  const std::string_view kept = keep(core::trimLws(value));
  headers_.push_back(HeaderField{keep(name), kept, headerIdFromName(name), hasLineBreak(kept)});
}

void Message::addHeader(HeaderId id, std::string_view value) {
  const std::string_view kept = keep(core::trimLws(value));
  headers_.push_back(HeaderField{canonicalHeaderName(id), kept, id, hasLineBreak(kept)});
}

void Message::setHeader(HeaderId id, std::string_view value) {
  for (auto& field : headers_) {
    if (field.id == id) {
      field.value = keep(core::trimLws(value));
      field.folded = hasLineBreak(field.value);
      return;
    }
  }
  addHeader(id, value);
}

void Message::setHeaderValue(size_t index, std::string_view value) {
  if (index >= headers_.size()) return;
  headers_[index].value = keep(core::trimLws(value));
  headers_[index].folded = hasLineBreak(headers_[index].value);
}

void Message::removeHeaders(HeaderId id) {
  for (size_t i = headers_.size(); i > 0; --i) {
    if (headers_[i - 1].id == id) headers_.erase(i - 1);
  }
}

void Message::setBody(std::string_view body) {
  body_ = keep(body);
}

const HeaderField* Message::header(HeaderId id) const {
  for (const auto& field : headers_) {
    if (field.id == id) return &field;
  }
  return nullptr;
}

const HeaderField* Message::header(std::string_view name) const {
  const HeaderId id = headerIdFromName(name);
  if (id != HeaderId::kOther) return header(id);
  for (const auto& field : headers_) {
    if (field.id == HeaderId::kOther && core::iequals(field.name, name)) return &field;
  }
  return nullptr;
}

std::string_view Message::headerValue(HeaderId id) const {
  const HeaderField* field = header(id);
  return field != nullptr ? field->value : std::string_view{};
}

size_t Message::headerCount(HeaderId id) const {
  size_t n = 0;
  for (const auto& field : headers_) n += field.id == id ? 1 : 0;
  return n;
}

Message Message::clone() const {
  Message copy = *this;
  if (raw_.empty()) return copy;  // built in code: everything already lives in storage_
  // Copy the parsed text once and move every view that points into it onto the copy.
  const std::string_view newRaw = copy.keep(raw_);
  const char* oldBegin = raw_.data();
  const char* oldEnd = raw_.data() + raw_.size();
  auto rebase = [&](std::string_view& view) {
    if (view.data() >= oldBegin && view.data() + view.size() <= oldEnd && !view.empty()) {
      view = std::string_view(newRaw.data() + (view.data() - oldBegin), view.size());
    }
  };
  copy.raw_ = newRaw;
  rebase(copy.method_);
  rebase(copy.requestUri_);
  rebase(copy.version_);
  rebase(copy.reason_);
  rebase(copy.body_);
  for (auto& field : copy.headers_) {
    rebase(field.name);
    rebase(field.value);
  }
  return copy;
}

bool lwsEqual(std::string_view a, std::string_view b) {
  a = core::trimLws(a);
  b = core::trimLws(b);
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (isLws(a[i]) && isLws(b[j])) {
      while (i < a.size() && isLws(a[i])) ++i;
      while (j < b.size() && isLws(b[j])) ++j;
      continue;
    }
    if (a[i] != b[j]) return false;
    ++i;
    ++j;
  }
  return i == a.size() && j == b.size();
}

bool Message::operator==(const Message& other) const {
  if (isRequest_ != other.isRequest_ || version_ != other.version_) return false;
  if (isRequest_) {
    if (method_ != other.method_ || requestUri_ != other.requestUri_) return false;
  } else if (statusCode_ != other.statusCode_ || reason_ != other.reason_) {
    return false;
  }
  if (body_ != other.body_) return false;
  // Content-Length is framing derived from the body, which is compared above; the writer adds it when
  // missing, so it is left out of the header comparison.
  size_t i = 0;
  size_t j = 0;
  while (true) {
    while (i < headers_.size() && headers_[i].id == HeaderId::kContentLength) ++i;
    while (j < other.headers_.size() && other.headers_[j].id == HeaderId::kContentLength) ++j;
    if (i == headers_.size() || j == other.headers_.size()) break;
    const HeaderField& a = headers_[i++];
    const HeaderField& b = other.headers_[j++];
    if (a.id != b.id) return false;
    if (a.id == HeaderId::kOther && !core::iequals(a.name, b.name)) return false;
    if (!lwsEqual(a.value, b.value)) return false;
  }
  return i == headers_.size() && j == other.headers_.size();
}

}  // namespace callgate::sip
