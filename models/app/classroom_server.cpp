#include "models/app/classroom_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/program_options/errors.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#ifndef TIERSIM_SOURCE_DIR
#define TIERSIM_SOURCE_DIR "."
#endif

namespace tiersim::app::classroom {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Limits that keep a class of 40 on a LAN within bounded memory, whatever a browser sends.
constexpr std::size_t max_connections = 256;
constexpr std::size_t max_request_header_bytes = 8 * 1024;
constexpr std::size_t max_queued_bytes = 4 * 1024 * 1024;  ///< a page this far behind is dropped (it reconnects)
constexpr int max_refusals = 50;                           ///< refused messages before a connection is closed
constexpr auto http_idle = 30s;
constexpr auto hello_within = 30s;  ///< a WebSocket that does not say who it is by then is closed
constexpr auto round_poll = 100ms;

/// The teacher's key and the join code: unguessable, so never a model draw (those are keyed by the seed).
std::string random_word(std::size_t length, std::string_view alphabet) {
    std::random_device device;
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::string word;
    for (std::size_t k = 0; k < length; ++k) word += alphabet[pick(device)];
    return word;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string_view content_type(const std::string& name) {
    if (name.ends_with(".html")) return "text/html; charset=utf-8";
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    return "application/javascript; charset=utf-8";
}

class Server;

/// One browser's WebSocket: the teacher's page or a student's.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    enum class Role { unknown, teacher, student };

    Connection(tcp::socket socket, Server& server)
        : ws_(std::move(socket)), hello_deadline_(ws_.get_executor()), server_(server) {}
    void accept(http::request<http::string_body> request);
    /// Queues a message; a page too far behind is closed (it reconnects and is sent the whole state again).
    void send(std::shared_ptr<const std::string> message);
    void close();
    /// A message was refused; too many and the connection is closed.
    void refused();

    Role role = Role::unknown;
    std::size_t student = 0;

private:
    void read();
    void on_read(beast::error_code error, std::size_t bytes);
    void write();
    void on_write(beast::error_code error, std::size_t bytes);
    void drop();

    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer hello_deadline_;
    beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::size_t queued_bytes_ = 0;
    int refusals_ = 0;
    bool closed_ = false;  ///< sends nothing more
    bool gone_ = false;    ///< the server has forgotten it
    Server& server_;
};

/// One HTTP connection: pages, the chart library, or the upgrade to a WebSocket.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, Server& server);
    ~HttpSession();
    void read();

private:
    void on_read(beast::error_code error, std::size_t bytes);
    void respond(http::status status, std::string body, std::string_view type, bool keep_alive);
    void on_write(bool keep_alive, beast::error_code error, std::size_t bytes);

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<http::response<http::string_body>> response_;
    Server& server_;
};

class Server {
public:
    Server(const ServerOptions& options)
        : options_(options), acceptor_(io_), clock_(io_), signals_(io_, SIGINT, SIGTERM) {
        teacher_key_ = random_word(16, "abcdefghijklmnopqrstuvwxyz0123456789");
        join_code_ = random_word(4, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789");  // no 0/O, 1/I: read off a projector
        running_ = options.autostart;
        speed_ms_ = options.speed_ms;
    }

    /// Listens, then opens the class (so a port in use leaves no file behind), and serves until a signal.
    void run(const ClassSetup& setup);

    // --- for the connections ------------------------------------------------------------
    void serve_http(const http::request<http::string_body>& request, HttpSession& session,
                    void (HttpSession::*respond)(http::status, std::string, std::string_view, bool));
    void receive(Connection& from, const std::string& text);
    void closed(Connection& connection);
    bool admit() const noexcept { return connections_.size() + http_sessions_ < max_connections; }
    void adopt(std::shared_ptr<Connection> connection, http::request<http::string_body> request) {
        connections_.insert(connection);
        connection->accept(std::move(request));
    }
    std::size_t http_sessions_ = 0;  ///< HTTP connections open (for admit)
    const ServerOptions& options() const noexcept { return options_; }

private:
    void listen();
    void accept();
    void tick_later(std::chrono::milliseconds delay);
    void on_clock();
    void advance();
    void refuse(Connection& to, const std::string& reason);
    void send(Connection& to, std::string message);
    void broadcast_status();
    void broadcast_month();
    void send_everything(Connection& to);
    void join(Connection& from, const Message& message);
    void command(Connection& from, const Message& message);

    ServerOptions options_;
    net::io_context io_;
    tcp::acceptor acceptor_;
    net::steady_timer clock_;
    net::signal_set signals_;
    std::set<std::shared_ptr<Connection>> connections_;
    std::string teacher_key_;
    std::string join_code_;
    bool running_ = false;
    bool finished_ = false;  ///< the closing screen is up
    int speed_ms_ = 500;
    int round_seconds_ = 0;
    std::unique_ptr<Classroom> classroom_;
    std::chrono::steady_clock::time_point round_started_ = std::chrono::steady_clock::now();
};

// --- Connection ------------------------------------------------------------------------------

void Connection::accept(http::request<http::string_body> request) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(max_message_bytes);
    ws_.text(true);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code error) {
        if (error) return self->drop();
        self->read();
    });
    hello_deadline_.expires_after(hello_within);
    hello_deadline_.async_wait([self = shared_from_this()](beast::error_code error) {
        if (!error && self->role == Role::unknown) self->close();
    });
}

void Connection::read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&Connection::on_read, shared_from_this()));
}

void Connection::on_read(beast::error_code error, std::size_t) {
    if (error) {
        // A frame over read_message_max ends here too: the stream has already sent "message too big".
        return drop();
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    server_.receive(*this, text);
    if (closed_) return;
    read();
}

void Connection::send(std::shared_ptr<const std::string> message) {
    if (closed_) return;
    // One message may be large (the history of a long class); a backlog of them may not.
    if (!queue_.empty() && queued_bytes_ + message->size() > max_queued_bytes) return close();
    queued_bytes_ += message->size();
    queue_.push_back(std::move(message));
    if (queue_.size() == 1) write();
}

void Connection::write() {
    ws_.async_write(net::buffer(*queue_.front()), beast::bind_front_handler(&Connection::on_write, shared_from_this()));
}

void Connection::on_write(beast::error_code error, std::size_t) {
    if (error) return drop();
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
    if (!queue_.empty() && !closed_) write();
}

void Connection::close() {
    if (closed_) return;
    ws_.async_close(websocket::close_code::policy_error, [self = shared_from_this()](beast::error_code) { self->drop(); });
    closed_ = true;
}

void Connection::drop() {
    if (std::exchange(gone_, true)) return;
    hello_deadline_.cancel();
    // The queue stays: a write in flight still reads its message. It goes with the connection.
    closed_ = true;
    server_.closed(*this);
}

void Connection::refused() {
    if (++refusals_ > max_refusals) close();
}

// --- HttpSession -----------------------------------------------------------------------------

HttpSession::HttpSession(tcp::socket socket, Server& server) : stream_(std::move(socket)), server_(server) {
    ++server_.http_sessions_;
}

HttpSession::~HttpSession() { --server_.http_sessions_; }

void HttpSession::read() {
    parser_.emplace();
    parser_->header_limit(max_request_header_bytes);
    parser_->body_limit(1024);  // the pages send nothing in bodies
    stream_.expires_after(http_idle);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code error, std::size_t) {
    if (error == http::error::end_of_stream) {
        stream_.socket().shutdown(tcp::socket::shutdown_send, error);
        return;
    }
    if (error) {
        if (error == http::error::header_limit || error == http::error::body_limit)
            respond(http::status::payload_too_large, "request too large\n", "text/plain", false);
        return;
    }
    auto request = parser_->release();
    if (websocket::is_upgrade(request)) {
        if (request.target() != "/ws" || !server_.admit())
            return respond(http::status::service_unavailable, "no WebSocket here\n", "text/plain", false);
        server_.adopt(std::make_shared<Connection>(stream_.release_socket(), server_), std::move(request));
        return;
    }
    server_.serve_http(request, *this, &HttpSession::respond);
}

void HttpSession::respond(http::status status, std::string body, std::string_view type, bool keep_alive) {
    response_ = std::make_shared<http::response<http::string_body>>(status, 11);
    response_->set(http::field::server, "tiersim classroom");
    response_->set(http::field::content_type, std::string(type));
    response_->set(http::field::cache_control, "no-store");
    response_->set("X-Content-Type-Options", "nosniff");
    response_->set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'");
    response_->keep_alive(keep_alive);
    response_->body() = std::move(body);
    response_->prepare_payload();
    http::async_write(stream_, *response_,
                      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code error, std::size_t) {
    if (error) return;
    if (!keep_alive) {
        stream_.socket().shutdown(tcp::socket::shutdown_send, error);
        return;
    }
    read();
}

// --- Server ----------------------------------------------------------------------------------

void Server::serve_http(const http::request<http::string_body>& request, HttpSession& session,
                        void (HttpSession::*respond)(http::status, std::string, std::string_view, bool)) {
    const bool keep_alive = request.keep_alive();
    if (request.method() != http::verb::get && request.method() != http::verb::head)
        return (session.*respond)(http::status::method_not_allowed, "GET only\n", "text/plain", false);
    std::string target(request.target().substr(0, request.target().find('?')));
    std::optional<std::filesystem::path> file;
    std::string name;
    if (target == "/" || target == "/student") name = "student.html";
    else if (target == "/teacher") name = "teacher.html";
    else if (const auto named = static_file_name(target)) name = *named;
    if (!name.empty()) file = options_.pages / name;
    else if (target == "/lib/d3.min.js") file = options_.d3, name = "d3.min.js";
    if (!file) return (session.*respond)(http::status::not_found, "not found\n", "text/plain", keep_alive);
    auto body = read_file(*file);
    if (!body) return (session.*respond)(http::status::not_found, "not found\n", "text/plain", keep_alive);
    if (request.method() == http::verb::head) body->clear();
    (session.*respond)(http::status::ok, std::move(*body), content_type(name), keep_alive);
}

void Server::run(const ClassSetup& setup) {
    listen();
    classroom_ = std::make_unique<Classroom>(setup);
    const auto port = acceptor_.local_endpoint().port();
    const std::string base = "http://" + options_.host + ":" + std::to_string(port);
    std::printf("tiersim classroom: %s, %lld months, writing %s\n", classroom_->model().scenario().name.c_str(),
                static_cast<long long>(classroom_->ticks_planned()), classroom_->output().string().c_str());
    std::printf("teacher:  %s/teacher#%s\n", base.c_str(), teacher_key_.c_str());
    std::printf("students: %s/  join code %s\n", base.c_str(), join_code_.c_str());
    if (options_.host == "127.0.0.1" || options_.host == "localhost")
        std::printf("(only this computer can connect; for a class on the LAN: --host 0.0.0.0)\n");
    std::printf("Ctrl-C ends the class.\n");
    std::fflush(stdout);
    signals_.async_wait([this](beast::error_code, int) {
        classroom_->finish();
        io_.stop();
    });
    accept();
    if (running_) tick_later(0ms);
    io_.run();
    classroom_->finish();
    std::fprintf(stderr, "tiersim classroom: wrote %s\n", classroom_->output().string().c_str());
}

void Server::listen() {
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    try {
        const tcp::endpoint endpoint(net::ip::make_address(options_.host), options_.port);
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(net::socket_base::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(net::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
        throw boost::program_options::error("cannot listen on " + where + " (" + e.code().message() +
                                            "); choose another --port (0: any free one) or --host");
    }
}

void Server::accept() {
    acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
        if (!error && admit()) std::make_shared<HttpSession>(std::move(socket), *this)->read();
        accept();
    });
}

void Server::tick_later(std::chrono::milliseconds delay) {
    clock_.expires_after(delay);
    clock_.async_wait([this](beast::error_code error) {
        if (!error) on_clock();
    });
}

void Server::on_clock() {
    if (!running_ || classroom_->done()) return;
    const bool waiting = round_seconds_ > 0 && classroom_->connected_students() > 0 && !classroom_->all_decided() &&
                         std::chrono::steady_clock::now() - round_started_ < std::chrono::seconds(round_seconds_);
    if (waiting) return tick_later(round_poll);
    advance();
    if (running_ && !classroom_->done()) tick_later(std::chrono::milliseconds(speed_ms_));
}

void Server::advance() {
    try {
        classroom_->step();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tiersim classroom: the month failed: %s\n", e.what());
        running_ = false;
    }
    round_started_ = std::chrono::steady_clock::now();
    broadcast_month();
    if (classroom_->done()) {
        classroom_->finish();
        running_ = false;
        const auto ranking = std::make_shared<const std::string>(classroom_->ranking_json());
        for (const auto& c : connections_) c->send(ranking);
        std::printf("tiersim classroom: the class is over; %s is written (Ctrl-C to stop serving)\n",
                    classroom_->output().string().c_str());
        std::fflush(stdout);
    }
    broadcast_status();
}

void Server::send(Connection& to, std::string message) { to.send(std::make_shared<const std::string>(std::move(message))); }

void Server::refuse(Connection& to, const std::string& reason) {
    send(to, "{\"type\":\"refused\",\"reason\":\"" + json_escape(reason) + "\"}");
    to.refused();
}

void Server::broadcast_status() {
    const auto status = std::make_shared<const std::string>(
        "{\"type\":\"status\",\"running\":" + std::string(running_ ? "true" : "false") +
        ",\"done\":" + (classroom_->done() ? "true" : "false") + ",\"speed_ms\":" + std::to_string(speed_ms_) +
        ",\"round_seconds\":" + std::to_string(round_seconds_) + ",\"month\":" + std::to_string(classroom_->next_month()) +
        ",\"students\":" + std::to_string(classroom_->connected_students()) + ",\"seed\":" +
        std::to_string(classroom_->seed()) + ",\"output\":\"" + json_escape(classroom_->output().filename().string()) +
        "\"}");
    for (const auto& c : connections_)
        if (c->role != Connection::Role::unknown) c->send(status);
}

void Server::broadcast_month() {
    const auto month = std::make_shared<const std::string>(classroom_->history().empty() ? "" : classroom_->history().back());
    const auto roster = std::make_shared<const std::string>(classroom_->roster_json());
    for (const auto& c : connections_) {
        if (c->role == Connection::Role::teacher) {
            if (!month->empty()) c->send(month);
            c->send(roster);
        } else if (c->role == Connection::Role::student) {
            send(*c, classroom_->firm_json(c->student));
        }
    }
}

/// A page that (re)connects gets the whole class so far: it redraws from it.
void Server::send_everything(Connection& to) {
    if (to.role == Connection::Role::teacher) {
        send(to, classroom_->setup_json());
        send(to, "{\"type\":\"join\",\"code\":\"" + join_code_ + "\"}");
        std::string history = "{\"type\":\"history\",\"ticks\":[";
        for (std::size_t k = 0; k < classroom_->history().size(); ++k) history += (k ? "," : "") + classroom_->history()[k];
        send(to, history + "]}");
        send(to, classroom_->roster_json());
    } else {
        send(to, classroom_->firm_json(to.student));
    }
    if (classroom_->done()) send(to, classroom_->ranking_json());
}

void Server::receive(Connection& from, const std::string& text) {
    auto parsed = parse_message(text);
    if (auto* refusal = std::get_if<Refusal>(&parsed)) return refuse(from, refusal->reason);
    const Message& message = std::get<Message>(parsed);
    if (from.role == Connection::Role::unknown) return join(from, message);
    if (is_teacher_message(message) != (from.role == Connection::Role::teacher))
        return refuse(from, from.role == Connection::Role::teacher ? "the teacher's page does not decide for a firm"
                                                                   : "only the teacher's page runs the class");
    command(from, message);
}

void Server::join(Connection& from, const Message& message) {
    if (const auto* teacher = std::get_if<JoinTeacher>(&message)) {
        if (teacher->key != teacher_key_) return refuse(from, "wrong teacher key: open the teacher URL tiersim printed");
        from.role = Connection::Role::teacher;
    } else if (const auto* student = std::get_if<JoinStudent>(&message)) {
        if (student->code != join_code_) return refuse(from, "wrong join code: the code is on the teacher's screen");
        try {
            from.student = classroom_->join(student->name, student->token);
        } catch (const std::length_error& e) {
            return refuse(from, e.what());
        }
        from.role = Connection::Role::student;
    } else {
        return refuse(from, "say hello first: hello teacher KEY, or hello student CODE NAME");
    }
    send_everything(from);
    broadcast_status();
    const auto roster = std::make_shared<const std::string>(classroom_->roster_json());
    for (const auto& c : connections_)
        if (c->role == Connection::Role::teacher) c->send(roster);
}

void Server::command(Connection& from, const Message& message) {
    if (const auto* d = std::get_if<Decide>(&message)) {
        if (classroom_->done()) return refuse(from, "the class is over");
        classroom_->decide(from.student, *d);
        send(from, classroom_->firm_json(from.student));
        const auto roster = std::make_shared<const std::string>(classroom_->roster_json());
        for (const auto& c : connections_)
            if (c->role == Connection::Role::teacher) c->send(roster);
        return;
    }
    if (std::holds_alternative<Start>(message)) {
        if (!running_ && !classroom_->done()) {
            running_ = true;
            round_started_ = std::chrono::steady_clock::now();
            tick_later(0ms);
        }
    } else if (std::holds_alternative<Pause>(message)) {
        running_ = false;
        clock_.cancel();
    } else if (std::holds_alternative<Step>(message)) {
        if (!running_ && !classroom_->done()) advance();
    } else if (const auto* speed = std::get_if<Speed>(&message)) {
        speed_ms_ = speed->ms_per_month;
    } else if (const auto* rounds = std::get_if<Rounds>(&message)) {
        round_seconds_ = rounds->seconds;
        round_started_ = std::chrono::steady_clock::now();
    } else if (const auto* lever = std::get_if<PullLever>(&message)) {
        if (const auto refusal = classroom_->pull_lever(lever->lever, lever->value)) return refuse(from, *refusal);
        send(from, "{\"type\":\"lever\",\"name\":\"" + lever->lever + "\",\"value\":" + json_number(lever->value) +
                       ",\"month\":" + std::to_string(classroom_->next_month()) + "}");
    } else if (const auto* restart = std::get_if<Restart>(&message)) {
        running_ = false;
        clock_.cancel();
        try {
            classroom_->restart(restart->seed);
        } catch (const std::exception& e) {
            return refuse(from, std::string("cannot restart: ") + e.what());
        }
        std::printf("tiersim classroom: restarted with seed %lld, writing %s\n", static_cast<long long>(restart->seed),
                    classroom_->output().string().c_str());
        std::fflush(stdout);
        for (const auto& c : connections_)
            if (c->role != Connection::Role::unknown) send_everything(*c);
    } else if (std::holds_alternative<Finish>(message)) {
        running_ = false;
        clock_.cancel();
        classroom_->finish();
        finished_ = true;
        const auto ranking = std::make_shared<const std::string>(classroom_->ranking_json());
        for (const auto& c : connections_) c->send(ranking);
    }
    broadcast_status();
}

void Server::closed(Connection& connection) {
    // A page that reconnected before its old connection was noticed gone keeps its student present.
    const bool replaced = std::ranges::any_of(connections_, [&](const auto& other) {
        return other.get() != &connection && other->role == Connection::Role::student && other->student == connection.student;
    });
    if (connection.role == Connection::Role::student && !replaced) classroom_->disconnect(connection.student);
    for (auto it = connections_.begin(); it != connections_.end(); ++it)
        if (it->get() == &connection) {
            connections_.erase(it);
            break;
        }
    if (connection.role != Connection::Role::unknown) broadcast_status();
}

}  // namespace

std::filesystem::path pages_folder() {
    if (const char* folder = std::getenv("TIERSIM_CLASSROOM_PAGES"); folder && *folder) return folder;
    return std::filesystem::path(TIERSIM_SOURCE_DIR) / "analysis" / "classroom";
}

std::filesystem::path d3_script() {
    if (const char* file = std::getenv("TIERSIM_D3"); file && *file) return file;
    return "/usr/share/javascript/d3/d3.min.js";
}

void serve(const ClassSetup& setup, const ServerOptions& options) {
    Server server(options);
    server.run(setup);
}

}  // namespace tiersim::app::classroom
