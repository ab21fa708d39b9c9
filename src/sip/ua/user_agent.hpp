// The UA core of one TransactionLayer (RFC 3261 §8.2, §12.2.2): it is the layer's ServerTransactionEvents,
// owns the INVITE sessions and routes to them what the InviteSession header asks of an owner:
//
//   request with To tag   ──► the session of dialogKey() (Call-ID, To tag) ──► else 481 (§12.2.2)
//   CANCEL                ──► the session whose INVITE transaction it targets (§9.2) ──► else 481
//   INVITE without To tag ──► Events::onInvite decides: a new UAS session, or 486
//   OPTIONS without To tag ──► 200 with Allow and Accept (§11.2)
//   MESSAGE without To tag ──► 200 and Events::onMessage (RFC 3428 §7)
//   sendRequest()          ──► a MESSAGE (or other non-INVITE) of ours outside dialogs, with digest auth
//   BYE without To tag    ──► 481 (§15.1.2); other known methods 405 with Allow, unknown ones 501 (§8.2.1)
//   ACK of a 2xx          ──► the session of dialogKey(); else dropped (an ACK is never answered)
//
// A session is registered when it exists for the peer (UAC: start() succeeded; UAS: onInvite accepted the
// INVITE). Once it finished(), the UA destroys it from a 0-delay timer, never inside one of its callbacks
// (STYLE.md). Single-threaded: everything runs on the loop of the layer's TimerQueue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/result.hpp"
#include "core/timer_queue.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/endpoint.hpp"
#include "sip/ua/invite_session.hpp"
#include "sip/ua/request_client.hpp"

namespace callgate::sip {

class UserAgent {
 public:
  using SessionId = uint64_t;  // never 0

  // The session that answers an incoming INVITE: its config, its owner, and what to do once it exists.
  struct IncomingCall {
    InviteSessionConfig config;
    InviteSession::Owner owner;
    // Called once the session exists and is registered: ring(), answer() or reject() now or later. The
    // session stays valid until it finished() and the UA's 0-delay timer ran.
    std::function<void(InviteSession& session)> onCreated;
  };

  struct Events {
    // A new INVITE (no To tag); `id` is the id the session will get. Return the session's setup, or
    // nullopt to refuse the call with 486 Busy Here (RFC 3261 §21.4.24). Unset: every call is refused.
    std::function<std::optional<IncomingCall>(SessionId id, const Message& invite, const Endpoint& from)>
        onInvite;
    // An out-of-dialog MESSAGE (RFC 3428), already answered 200. The Message is a view valid during the call.
    std::function<void(const Message& message, const Endpoint& from)> onMessage;
    // A session was destroyed (after its last event); `id` is no longer valid.
    std::function<void(SessionId id)> onSessionRemoved;
    // Passed on from the layer (logging).
    std::function<void(const Message& response, const Endpoint& from)> onStrayResponse;
    std::function<void(TransactionId id, TransactionError error)> onServerError;
  };

  // Installs itself as `context.transactions`' ServerTransactionEvents (before its first receive()).
  // Everything in `context` must outlive the UA.
  UserAgent(InviteSessionContext context, Events events);
  // Destroys the sessions that are left without calling them (no BYE is sent: hang up before).
  ~UserAgent();
  UserAgent(const UserAgent&) = delete;
  UserAgent& operator=(const UserAgent&) = delete;

  // UAC: creates a session with `owner` (its onEvent may look the session up with the id it is told
  // through `onCreated`, called before the INVITE goes out), starts it and registers it. The error of
  // start() when it refused (nothing registered, nothing sent).
  core::Result<SessionId> call(InviteSessionConfig config, InviteSession::Owner owner,
                               InviteSession::CallParams params,
                               std::function<void(SessionId id)> onCreated = nullptr);

  // A non-INVITE request outside dialogs (MESSAGE): its one outcome goes to `listener`, never inside this
  // call. The error when the request is refused before sending (a bad method or header).
  core::Result<void> sendRequest(OutOfDialogRequest request, RequestClient::Listener listener);
  size_t requestCount() const { return requests_.size(); }

  // The session with this id, or nullptr once it was removed.
  InviteSession* session(SessionId id);
  size_t sessionCount() const { return sessions_.size(); }

 private:
  struct Entry {
    std::unique_ptr<InviteSession> session;
    std::string dialogIndex;         // Call-ID and local tag
    TransactionId inviteServer = 0;  // UAS: the INVITE's server transaction (CANCEL routing)
  };

  void onRequest(TransactionId id, const Message& request, const Endpoint& from);
  void onAck(const Message& ack, const Endpoint& from);
  void onNewInvite(TransactionId id, const Message& invite, const Endpoint& from);
  void onOutOfDialog(TransactionId id, const Message& request, const Endpoint& from);
  // The owner with an onEvent that also checks for finished sessions.
  InviteSession::Owner wrapOwner(InviteSession::Owner owner);
  void registerSession(SessionId id, std::unique_ptr<InviteSession> session);
  Entry* findByDialog(const Message& request);
  // Schedules reap() when a session finished (checked after every call into a session).
  void reapLater();
  void reap();

  InviteSessionContext context_;
  Events events_;
  SessionId nextId_ = 1;
  std::map<SessionId, Entry> sessions_;
  std::unordered_map<std::string, SessionId> byDialog_;
  std::unordered_map<TransactionId, SessionId> byInviteServer_;
  std::map<uint64_t, std::unique_ptr<RequestClient>> requests_;
  uint64_t nextRequestId_ = 1;
  core::Timer reaper_;
};

}  // namespace callgate::sip
