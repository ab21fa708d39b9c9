#include "api/connection_options.hpp"

#include "api/wcs_message.hpp"
#include "core/text.hpp"
#include "sip/message/identity.hpp"
#include "sip/message/uri.hpp"

namespace callgate::api {
namespace {

constexpr size_t kMaxFieldBytes = 256;

core::Error fieldError(std::string_view field, std::string rule) {
  return core::makeError("connection." + std::string(field) + " " + std::move(rule));
}

// A string field: absent or null gives nullopt; anything else but a string (or an over-long one) is refused.
core::Result<std::optional<std::string>> stringField(const nlohmann::json& arg, std::string_view field) {
  auto it = arg.find(field);
  if (it == arg.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) {
    return fieldError(field, "must be a string, not " + std::string(jsonTypeName(*it)));
  }
  std::string value = it->get<std::string>();
  if (value.size() > kMaxFieldBytes) {
    return fieldError(field, "must be at most " + std::to_string(kMaxFieldBytes) + " bytes long");
  }
  return std::optional<std::string>{std::move(value)};
}

core::Result<bool> boolField(const nlohmann::json& arg, std::string_view field) {
  auto it = arg.find(field);
  if (it == arg.end() || it->is_null()) return false;
  if (!it->is_boolean())
    return fieldError(field, "must be true or false, not " + std::string(jsonTypeName(*it)));
  return it->get<bool>();
}

// sipPort: "5060" from web clients, 5060 from mobile ones (PROTOCOL.md §2); absent, null or "": none.
core::Result<uint16_t> portField(const nlohmann::json& arg, std::string_view field) {
  auto it = arg.find(field);
  if (it == arg.end() || it->is_null()) return uint16_t{0};
  const std::string rule = "must be a port number 1-65535 (a string of digits or a number)";
  std::optional<uint64_t> port;
  if (it->is_number_unsigned() || it->is_number_integer()) {
    const int64_t n = it->get<int64_t>();
    if (n >= 1 && n <= 65535) port = static_cast<uint64_t>(n);
  } else if (it->is_string()) {
    const std::string text = it->get<std::string>();
    if (text.empty()) return uint16_t{0};
    port = core::parseUnsigned(text, 65535);
    if (port && *port == 0) port.reset();
  } else {
    return fieldError(field, rule + ", not " + std::string(jsonTypeName(*it)));
  }
  if (!port) return fieldError(field, rule + ", not " + it->dump());
  return static_cast<uint16_t>(*port);
}

// A SIP host (RFC 3261 §25.1 host: hostname, IPv4address or IPv6reference), no user, port or parameters.
core::Result<std::string> hostField(const std::string& value, std::string_view field) {
  const std::string text = "sip:" + value;
  auto uri = sip::parseUri(std::string_view(text));
  if (!uri || !uri->user.empty() || uri->hasPort || uri->text.size() != value.size() + 4 ||
      value.find_first_of(";?@") != std::string::npos) {
    return fieldError(field, "must be a host name or IP address (RFC 3261 §25.1 host), not '" +
                                 core::printable(value) + "'");
  }
  return value;
}

}  // namespace

core::Result<ConnectionOptions> parseConnectionOptions(const nlohmann::json& arg) {
  ConnectionOptions options;
  if (arg.is_null()) return options;
  if (!arg.is_object()) {
    return core::makeError("connection needs an object of fields, not " + std::string(jsonTypeName(arg)));
  }
  auto appKey = stringField(arg, "appKey");
  if (!appKey) return appKey.error();
  if (*appKey && !(*appKey)->empty()) options.appKey = **appKey;
  auto keepAlive = boolField(arg, "keepAlive");
  if (!keepAlive) return keepAlive.error();
  options.keepAlive = *keepAlive;
  auto authToken = stringField(arg, "authToken");
  if (!authToken) return authToken.error();
  if (*authToken) options.authToken = **authToken;

  auto login = stringField(arg, "sipLogin");
  if (!login) return login.error();
  auto authName = stringField(arg, "sipAuthenticationName");
  if (!authName) return authName.error();
  auto password = stringField(arg, "sipPassword");
  if (!password) return password.error();
  auto domain = stringField(arg, "sipDomain");
  if (!domain) return domain.error();
  auto proxy = stringField(arg, "sipOutboundProxy");
  if (!proxy) return proxy.error();
  auto visibleName = stringField(arg, "sipVisibleName");
  if (!visibleName) return visibleName.error();
  for (std::string_view other : {"sipProxy", "sipContactParams"}) {
    if (auto checked = stringField(arg, other); !checked) return checked.error();
  }
  auto port = portField(arg, "sipPort");
  if (!port) return port.error();
  auto registerRequired = boolField(arg, "sipRegisterRequired");
  if (!registerRequired) return registerRequired.error();

  const bool hasLogin = *login && !(*login)->empty();
  if (*registerRequired && !hasLogin) {
    return fieldError("sipLogin", "is required when sipRegisterRequired is true");
  }
  if (hasLogin) {
    gateway::SipAccount account;
    account.login = **login;
    // PROTOCOL.md §2, the WCS trap: escape what can be escaped, refuse the rest now, before any SIP.
    auto user = sip::userPartFromTyped(account.login, "sipLogin");
    if (!user) return user.error();
    account.user = std::move(*user);
    account.authName = *authName && !(*authName)->empty() ? **authName : account.login;
    if (auto digest = sip::digestUsernameFromTyped(
            account.authName, *authName && !(*authName)->empty() ? "sipAuthenticationName" : "sipLogin");
        !digest) {
      return digest.error();
    }
    account.password = password->value_or("");
    if (!*domain || (*domain)->empty()) {
      return fieldError("sipDomain", "is required with sipLogin: it is the domain of the SIP account");
    }
    auto host = hostField(**domain, "sipDomain");
    if (!host) return host.error();
    account.domain = std::move(*host);
    if (*proxy && !(*proxy)->empty()) {
      auto proxyHost = hostField(**proxy, "sipOutboundProxy");
      if (!proxyHost) return proxyHost.error();
      account.outboundProxy = std::move(*proxyHost);
    }
    account.port = *port;
    account.visibleName = visibleName->value_or("");
    account.registerRequired = *registerRequired;
    options.account = std::move(account);
  }

  // getUserData echoes what the client sent (PROTOCOL.md §2), never the password; authToken is the server's.
  options.userData = arg;
  options.userData.erase("sipPassword");
  options.userData.erase("authToken");
  return options;
}

}  // namespace callgate::api
