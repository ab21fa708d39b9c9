#include "sip/ua/user_agent.hpp"

#include <string_view>
#include <utility>
#include <vector>

#include "sip/transaction/transaction_key.hpp"
#include "sip/transport/error_response.hpp"
#include "sip/ua/session_util.hpp"

namespace callgate::sip {
namespace {

// What this UA does (RFC 3261 §20.5), and what it takes outside a dialog (the Allow of a 405 there).
constexpr std::string_view kAllow = session_util::kAllow;
constexpr std::string_view kAllowOutOfDialog = "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE";
constexpr std::string_view kAccept = "application/sdp";

std::string indexOf(std::string_view callId, std::string_view localTag) {
  std::string index;
  index.reserve(callId.size() + 1 + localTag.size());
  index.append(callId);
  index.push_back('\n');  // cannot occur in a Call-ID or tag: the two parts never run into each other
  index.append(localTag);
  return index;
}

}  // namespace

UserAgent::UserAgent(InviteSessionContext context, Events events)
    : context_(context), events_(std::move(events)), reaper_(context_.timers) {
  ServerTransactionEvents server;
  server.onRequest = [this](TransactionId id, const Message& request, const Endpoint& from) {
    onRequest(id, request, from);
  };
  server.onAck = [this](const Message& ack, const Endpoint& from) { onAck(ack, from); };
  server.onStrayResponse = [this](const Message& response, const Endpoint& from) {
    if (events_.onStrayResponse) events_.onStrayResponse(response, from);
  };
  server.onServerError = [this](TransactionId id, TransactionError error) {
    if (events_.onServerError) events_.onServerError(id, error);
  };
  context_.transactions.setServerEvents(std::move(server));
}

UserAgent::~UserAgent() {
  // The layer may outlive the UA: it must not call into a destroyed one.
  context_.transactions.setServerEvents({});
}

core::Result<UserAgent::SessionId> UserAgent::call(InviteSessionConfig config, InviteSession::Owner owner,
                                                   InviteSession::CallParams params,
                                                   std::function<void(SessionId id)> onCreated) {
  const SessionId id = nextId_++;
  auto session = std::make_unique<InviteSession>(context_, std::move(config), wrapOwner(std::move(owner)));
  InviteSession& s = *session;
  // In the table before start(): an event start() reports at once can already look the session up.
  sessions_.emplace(id, Entry{std::move(session), {}, 0});
  if (onCreated) onCreated(id);
  if (auto started = s.start(std::move(params)); !started) {
    // start() refused before sending anything and without events: no callback of it is running.
    sessions_.erase(id);
    return started.error();
  }
  Entry& entry = sessions_.at(id);
  entry.dialogIndex = indexOf(s.callId(), s.key().localTag);
  byDialog_[entry.dialogIndex] = id;
  reapLater();
  return id;
}

InviteSession* UserAgent::session(SessionId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.session.get();
}

InviteSession::Owner UserAgent::wrapOwner(InviteSession::Owner owner) {
  auto inner = std::move(owner.onEvent);
  owner.onEvent = [this, inner = std::move(inner)](const InviteSession::Event& event) {
    if (inner) inner(event);
    reapLater();
  };
  return owner;
}

void UserAgent::registerSession(SessionId id, std::unique_ptr<InviteSession> session) {
  Entry entry;
  entry.dialogIndex = indexOf(session->callId(), session->key().localTag);
  entry.inviteServer = session->inviteTransaction();
  entry.session = std::move(session);
  byDialog_[entry.dialogIndex] = id;
  if (entry.inviteServer != 0) byInviteServer_[entry.inviteServer] = id;
  sessions_.emplace(id, std::move(entry));
}

UserAgent::Entry* UserAgent::findByDialog(const Message& request) {
  const DialogId key = InviteSession::dialogKey(request);
  if (key.localTag.empty()) return nullptr;
  auto it = byDialog_.find(indexOf(key.callId, key.localTag));
  if (it == byDialog_.end()) return nullptr;
  auto entry = sessions_.find(it->second);
  return entry == sessions_.end() ? nullptr : &entry->second;
}

void UserAgent::onRequest(TransactionId id, const Message& request, const Endpoint& from) {
  if (request.methodId() == Method::kCancel) {
    // RFC 3261 §9.2: the CANCEL goes to the INVITE transaction it matches; none: 481.
    const TransactionId invite = context_.transactions.findInviteServerTransaction(request);
    auto it = invite != 0 ? byInviteServer_.find(invite) : byInviteServer_.end();
    InviteSession* target = it != byInviteServer_.end() ? session(it->second) : nullptr;
    if (target == nullptr) {
      context_.transactions.respond(id, makeErrorResponse(request, 481, "Call/Transaction Does Not Exist"));
      return;
    }
    target->onRequest(id, request, from);
    reapLater();
    return;
  }
  if (!toTagOf(request).empty()) {
    Entry* entry = findByDialog(request);
    if (entry == nullptr) {
      // RFC 3261 §12.2.2: a request with a To tag that matches no dialog gets 481.
      context_.transactions.respond(id, makeErrorResponse(request, 481, "Call/Transaction Does Not Exist"));
      return;
    }
    entry->session->onRequest(id, request, from);
    reapLater();
    return;
  }
  onOutOfDialog(id, request, from);
}

void UserAgent::onOutOfDialog(TransactionId id, const Message& request, const Endpoint& from) {
  switch (request.methodId()) {
    case Method::kInvite:
      onNewInvite(id, request, from);
      return;
    case Method::kOptions: {
      // RFC 3261 §11.2: the capabilities, answered as an INVITE would be (200: we would accept a call).
      Message response = makeErrorResponse(request, 200, "OK");
      response.addHeader(HeaderId::kAllow, kAllow);
      response.addHeader(HeaderId::kAccept, kAccept);
      response.addHeader(HeaderId::kSupported, session_util::kSupported);
      context_.transactions.respond(id, response);
      return;
    }
    case Method::kMessage:
      // RFC 3428 §7: a MESSAGE the UAS accepts gets a 200.
      context_.transactions.respond(id, makeErrorResponse(request, 200, "OK"));
      if (events_.onMessage) events_.onMessage(request, from);
      return;
    case Method::kBye:
      // RFC 3261 §15.1.2: a BYE that matches no dialog gets 481.
      context_.transactions.respond(id, makeErrorResponse(request, 481, "Call/Transaction Does Not Exist"));
      return;
    default: {
      // RFC 3261 §8.2.1: 405 with Allow for a method we know but do not do out of a dialog; 501 for a method
      // we do not know at all (§21.5.2).
      const int status = request.methodId() == Method::kOther ? 501 : 405;
      Message response = makeErrorResponse(request, status, "");
      response.addHeader(HeaderId::kAllow, kAllowOutOfDialog);
      context_.transactions.respond(id, response);
      return;
    }
  }
}

void UserAgent::onNewInvite(TransactionId id, const Message& invite, const Endpoint& from) {
  const SessionId sessionId = nextId_++;
  std::optional<IncomingCall> accepted;
  if (events_.onInvite) accepted = events_.onInvite(sessionId, invite, from);
  if (!accepted) {
    context_.transactions.respond(id, makeErrorResponse(invite, 486, "Busy Here"));
    return;
  }
  auto created = InviteSession::fromInvite(context_, std::move(accepted->config),
                                           wrapOwner(std::move(accepted->owner)), id, invite, from);
  if (!created) return;  // fromInvite() answered the bad INVITE itself (400, 415, 420)
  registerSession(sessionId, std::move(*created));
  if (accepted->onCreated) {
    if (InviteSession* s = session(sessionId)) accepted->onCreated(*s);
  }
  reapLater();
}

void UserAgent::onAck(const Message& ack, const Endpoint& from) {
  // RFC 3261 §13.3.1.4: the ACK of a 2xx belongs to the dialog. None: dropped (never answered, §17).
  Entry* entry = findByDialog(ack);
  if (entry == nullptr) return;
  entry->session->onAck(ack, from);
  reapLater();
}

core::Result<void> UserAgent::sendRequest(OutOfDialogRequest request, RequestClient::Listener listener) {
  const uint64_t id = nextRequestId_++;
  // The outcome is reported from a transaction callback; the finished client is destroyed by the reaper.
  auto client =
      RequestClient::create(context_.transactions, context_.random, std::move(request),
                            [this, listener = std::move(listener)](const RequestClient::Outcome& o) {
                              if (!reaper_.active())
                                reaper_.start(core::Duration::zero(), [this] { reap(); });
                              if (listener) listener(o);
                            });
  if (!client) return client.error();
  RequestClient& c = **client;
  requests_.emplace(id, std::move(*client));
  c.send();
  return {};
}

void UserAgent::reapLater() {
  for (const auto& [id, entry] : sessions_) {
    if (entry.session->finished()) {
      if (!reaper_.active()) reaper_.start(core::Duration::zero(), [this] { reap(); });
      return;
    }
  }
}

void UserAgent::reap() {
  std::erase_if(requests_, [](const auto& item) { return item.second->done(); });
  std::vector<SessionId> removed;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    Entry& entry = it->second;
    if (!entry.session->finished()) {
      ++it;
      continue;
    }
    if (auto index = byDialog_.find(entry.dialogIndex);
        index != byDialog_.end() && index->second == it->first) {
      byDialog_.erase(index);
    }
    if (entry.inviteServer != 0) byInviteServer_.erase(entry.inviteServer);
    removed.push_back(it->first);
    it = sessions_.erase(it);
  }
  // Told after the table is consistent: the callee may start new calls.
  for (SessionId id : removed) {
    if (events_.onSessionRemoved) events_.onSessionRemoved(id);
  }
}

}  // namespace callgate::sip
