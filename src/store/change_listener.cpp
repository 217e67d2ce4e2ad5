// The Listener's connection: libpq directly, since SOCI has no LISTEN/NOTIFY.
#include "mediabase/store/change_listener.hpp"
#include "mediabase/store/catalogue.hpp"

#include <libpq-fe.h>

#include <stdexcept>

namespace mediabase {
namespace {

std::string error_of(PGconn* connection) {
    std::string message = connection ? PQerrorMessage(connection) : "out of memory";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return redact_database_url(message);
}

} // namespace

change_listener::change_listener(const database_url& where) {
    connection_ = PQconnectdb(where.conninfo.c_str());
    if (!connection_ || PQstatus(connection_) != CONNECTION_OK) {
        const auto why = error_of(connection_);
        PQfinish(connection_);
        throw std::runtime_error("cannot connect to the database " + where.display() + " to hear other servers: " +
                                 why);
    }
    PGresult* listening = PQexec(connection_, (std::string("LISTEN ") + catalogue::change_channel).c_str());
    const bool ok = PQresultStatus(listening) == PGRES_COMMAND_OK;
    PQclear(listening);
    if (!ok) {
        const auto why = error_of(connection_);
        PQfinish(connection_);
        throw std::runtime_error("cannot listen for other servers' changes on " + where.display() + ": " + why);
    }
}

change_listener::~change_listener() {
    PQfinish(connection_);
}

int change_listener::socket() const {
    return PQsocket(connection_);
}

std::vector<std::string> change_listener::take() {
    if (!PQconsumeInput(connection_) || PQstatus(connection_) != CONNECTION_OK)
        throw std::runtime_error("lost the connection that hears other servers: " + error_of(connection_));
    std::vector<std::string> payloads;
    while (PGnotify* notice = PQnotifies(connection_)) {
        payloads.emplace_back(notice->extra);
        PQfreemem(notice);
    }
    return payloads;
}

} // namespace mediabase
