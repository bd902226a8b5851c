#include "models/app/classroom_protocol.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace tiersim::app::classroom {

namespace {

std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t k = 0;
    while (k < text.size()) {
        while (k < text.size() && text[k] == ' ') ++k;
        const std::size_t start = k;
        while (k < text.size() && text[k] != ' ') ++k;
        if (k > start) words.push_back(text.substr(start, k - start));
    }
    return words;
}

/// A decimal number, all of `word`, finite and within [low, high].
std::optional<double> number_in(std::string_view word, double low, double high) {
    double value = 0;
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (error != std::errc{} || end != word.data() + word.size() || !std::isfinite(value)) return std::nullopt;
    if (value < low || value > high) return std::nullopt;
    return value;
}

std::optional<std::int64_t> integer_in(std::string_view word, std::int64_t low, std::int64_t high) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (error != std::errc{} || end != word.data() + word.size() || value < low || value > high) return std::nullopt;
    return value;
}

bool is_name_character(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/// Keys, codes, tokens and names: 1 to `longest` letters, digits, '_' or '-'.
bool is_word(std::string_view word, std::size_t longest) noexcept {
    if (word.empty() || word.size() > longest) return false;
    for (const char c : word)
        if (!is_name_character(c)) return false;
    return true;
}

Refusal refuse(std::string reason) { return Refusal{std::move(reason)}; }

std::variant<Message, Refusal> parse_join(const std::vector<std::string_view>& w) {
    if (w.size() == 3 && w[1] == "teacher") {
        if (!is_word(w[2], 64)) return refuse("hello teacher KEY: the key is letters and digits");
        return Message{JoinTeacher{std::string(w[2])}};
    }
    if ((w.size() == 4 || w.size() == 5) && w[1] == "student") {
        if (!is_word(w[2], 16)) return refuse("hello student CODE NAME: the code is letters and digits");
        if (!is_word(w[3], max_name_length))
            return refuse("a name is 1 to " + std::to_string(max_name_length) + " letters, digits, '_' or '-'");
        if (w.size() == 5 && !is_word(w[4], 64)) return refuse("the reconnection token is letters and digits");
        return Message{JoinStudent{std::string(w[2]), std::string(w[3]), w.size() == 5 ? std::string(w[4]) : ""}};
    }
    return refuse("hello teacher KEY, or hello student CODE NAME [TOKEN]");
}

std::variant<Message, Refusal> parse_decision(const std::vector<std::string_view>& w) {
    if (w.size() != 4) return refuse("decide ORDER|auto CERTIFY(0|1) BORROW_MXN");
    Decide decision;
    if (w[1] != "auto") {
        const auto order = number_in(w[1], 0, max_order_units);
        if (!order) return refuse("the order is a number of units from 0 to 1e9, or 'auto'");
        decision.order_units = *order;
    }
    if (w[2] != "0" && w[2] != "1") return refuse("certify is 0 or 1");
    decision.start_certification = w[2] == "1";
    const auto borrow = number_in(w[3], 0, max_borrow_mxn);
    if (!borrow) return refuse("borrowing is a number of MXN from 0 to 1e10");
    decision.borrow_mxn = *borrow;
    return Message{decision};
}

std::variant<Message, Refusal> parse_teacher_verb(const std::vector<std::string_view>& w) {
    const std::string_view verb = w[0];
    if (verb == "start" && w.size() == 1) return Message{Start{}};
    if (verb == "pause" && w.size() == 1) return Message{Pause{}};
    if (verb == "step" && w.size() == 1) return Message{Step{}};
    if (verb == "finish" && w.size() == 1) return Message{Finish{}};
    if (verb == "speed" && w.size() == 2) {
        const auto ms = integer_in(w[1], min_speed_ms, max_speed_ms);
        if (!ms) return refuse("speed MS: milliseconds per month from " + std::to_string(min_speed_ms) + " to " +
                               std::to_string(max_speed_ms));
        return Message{Speed{static_cast<int>(*ms)}};
    }
    if (verb == "rounds" && w.size() == 2) {
        const auto seconds = integer_in(w[1], 0, max_round_seconds);
        if (!seconds) return refuse("rounds SECONDS: from 0 (no rounds) to " + std::to_string(max_round_seconds));
        return Message{Rounds{static_cast<int>(*seconds)}};
    }
    if (verb == "lever" && w.size() == 3) {
        if (!is_word(w[1], 40)) return refuse("lever NAME VALUE: the name is a lever of the page");
        const auto value = number_in(w[2], -1e15, 1e15);
        if (!value) return refuse("lever NAME VALUE: the value is a finite number");
        return Message{PullLever{std::string(w[1]), *value}};
    }
    if (verb == "restart" && w.size() == 2) {
        const auto seed = integer_in(w[1], 0, std::int64_t{1} << 53);
        if (!seed) return refuse("restart SEED: a whole number from 0 to 2^53");
        return Message{Restart{*seed}};
    }
    return refuse("unknown message '" + std::string(verb.substr(0, 16)) + "' or wrong number of arguments");
}

}  // namespace

std::variant<Message, Refusal> parse_message(std::string_view text) {
    if (text.size() > max_message_bytes)
        return refuse("message longer than " + std::to_string(max_message_bytes) + " bytes");
    for (const char c : text)
        if (c < ' ' || c > '~') return refuse("messages are one line of printable ASCII");
    const auto words = split_words(text);
    if (words.empty()) return refuse("empty message");
    if (words[0] == "hello") return parse_join(words);
    if (words[0] == "decide") return parse_decision(words);
    return parse_teacher_verb(words);
}

bool is_teacher_message(const Message& message) noexcept {
    return !std::holds_alternative<JoinTeacher>(message) && !std::holds_alternative<JoinStudent>(message) &&
           !std::holds_alternative<Decide>(message);
}

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char code[8];
            std::snprintf(code, sizeof code, "\\u%04x", static_cast<unsigned>(c));
            out += code;
        } else {
            out += c;
        }
    }
    return out;
}

std::string json_number(double value) {
    if (!std::isfinite(value)) return "null";
    char text[32];
    const auto [end, error] = std::to_chars(text, text + sizeof text, value);
    return error == std::errc{} ? std::string(text, end) : "null";
}

std::optional<std::string> static_file_name(std::string_view target) {
    constexpr std::string_view prefix = "/static/";
    if (!target.starts_with(prefix)) return std::nullopt;
    const std::string_view name = target.substr(prefix.size());
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || name.size() > 64) return std::nullopt;
    for (std::size_t k = 0; k < dot; ++k) {
        const char c = name[k];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return std::nullopt;
    }
    const std::string_view extension = name.substr(dot);
    if (extension != ".html" && extension != ".js" && extension != ".css") return std::nullopt;
    return std::string(name);
}

}  // namespace tiersim::app::classroom
