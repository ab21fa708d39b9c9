#include "sip/ua/request_client.hpp"

#include "core/text.hpp"
#include "sip/message/char_class.hpp"

namespace callgate::sip {

core::Result<std::unique_ptr<RequestClient>> RequestClient::create(TransactionLayer& transactions,
                                                                   core::RandomSource& random,
                                                                   OutOfDialogRequest request,
                                                                   Listener listener) {
  const Method method = methodFromName(request.method);
  if (!chars::isToken(request.method) || method == Method::kInvite || method == Method::kAck ||
      method == Method::kCancel) {
    return core::makeError("method '" + core::printable(request.method) +
                           "' cannot be sent as an out-of-dialog non-INVITE request");
  }
  if (request.requestUri.empty()) return core::makeError("the request has no Request-URI");
  for (const auto& [name, value] : request.headers) {
    if (name.empty() || !chars::isToken(name)) {
      return core::makeError("extra header name '" + core::printable(name) + "' is not a SIP token");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return core::makeError("extra header '" + name + "' has a CR, LF or NUL in its value");
    }
  }
  if (request.contentType.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return core::makeError("Content-Type has a CR, LF or NUL");
  }
  return std::unique_ptr<RequestClient>(
      new RequestClient(transactions, random, std::move(request), std::move(listener)));
}

RequestClient::RequestClient(TransactionLayer& transactions, core::RandomSource& random,
                             OutOfDialogRequest request, Listener listener)
    : transactions_(transactions),
      random_(random),
      request_(std::move(request)),
      listener_(std::move(listener)),
      authenticator_(request_.credentials),
      self_(std::make_shared<RequestClient*>(this)),
      callId_(random_.hex(16)),
      fromTag_(random_.hex(8)) {}

RequestClient::~RequestClient() = default;

void RequestClient::send() {
  authenticator_.startRequest();
  sendNow({});
}

void RequestClient::sendNow(const std::vector<auth::AuthorizationHeader>& credentials) {
  // RFC 3261 §8.1.1; a re-send after a challenge keeps Call-ID and From tag, CSeq plus one (§22.2).
  const uint32_t cseq = ++cseq_;
  Message request = Message::request(request_.method, request_.requestUri);
  request.addHeader(HeaderId::kVia, "SIP/2.0/" + std::string(transportName(request_.nextHop.protocol)) + " " +
                                        request_.sentBy + ";branch=z9hG4bK" + random_.hex(12) + ";rport");
  request.addHeader(HeaderId::kMaxForwards, "70");
  for (const std::string& route : request_.routeSet) request.addHeader(HeaderId::kRoute, route);
  request.addHeader(HeaderId::kFrom, request_.from + ";tag=" + fromTag_);
  request.addHeader(HeaderId::kTo, request_.to);
  request.addHeader(HeaderId::kCallId, callId_);
  request.addHeader(HeaderId::kCSeq, std::to_string(cseq) + " " + request_.method);
  for (const auto& header : credentials) request.addHeader(header.name(), header.value);
  if (!request_.userAgent.empty()) request.addHeader(HeaderId::kUserAgent, request_.userAgent);
  for (const auto& [name, value] : request_.headers) request.addHeader(name, value);
  if (!request_.body.empty()) {
    request.addHeader(HeaderId::kContentType, request_.contentType);
    request.setBody(request_.body);
  }

  std::weak_ptr<RequestClient*> weak = self_;
  ClientTransactionEvents events;
  // Only the newest request decides: the challenged one's late answers are ignored.
  events.onResponse = [weak, cseq](const Message& response) {
    auto self = weak.lock();
    if (self && (*self)->cseq_ == cseq) (*self)->onResponse(response);
  };
  events.onError = [weak, cseq](TransactionError error) {
    auto self = weak.lock();
    if (!self || (*self)->cseq_ != cseq) return;
    RequestClient& client = **self;
    if (error == TransactionError::kTimeout) {
      client.finish(408, "no answer from " + client.request_.nextHop.toString() + " (" +
                             client.request_.method + " timed out)");
    } else {
      client.finish(503, "could not reach " + client.request_.nextHop.toString() + " (transport error)");
    }
  };
  // A refusal of the layer comes back as onError from a 0-delay timer.
  transactions_.sendRequest(request, request_.nextHop, std::move(events));
}

void RequestClient::onResponse(const Message& response) {
  const int status = response.statusCode();
  if (status < 200 || done_) return;
  if (status == 401 || status == 407) {
    std::vector<auth::ReceivedChallenge> challenges;
    for (const HeaderField& field : response.headers()) {
      if (field.id == HeaderId::kWwwAuthenticate) challenges.push_back({false, field.value});
      if (field.id == HeaderId::kProxyAuthenticate) challenges.push_back({true, field.value});
    }
    const auth::AuthDecision decision = authenticator_.onChallenge(
        challenges, auth::DigestRequest{request_.method, request_.requestUri, request_.body});
    if (decision.answered()) {
      sendNow(decision.headers);
      return;
    }
    finish(status, decision.reason);
    return;
  }
  finish(status, std::string(response.reason()));
}

void RequestClient::finish(int status, std::string reason) {
  if (done_) return;
  done_ = true;
  if (listener_) listener_(Outcome{status, std::move(reason)});
}

}  // namespace callgate::sip
