// What the classroom's browsers may say to the server, and how it is checked.
//
// A message is one line of printable ASCII words: a verb and its arguments
// ("decide 1200 0 0", "lever guarantee_coverage 0.8"). Anything else (too
// long, another character set, an unknown verb, a number out of its range) is
// refused with a reason, before it reaches the class. The server speaks JSON
// back (json_escape). docs/teaching/classroom.md, "Protocol".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace tiersim::app::classroom {

/// Longest message a browser may send (bytes); the WebSocket refuses longer frames.
inline constexpr std::size_t max_message_bytes = 512;
/// Longest student name (characters).
inline constexpr std::size_t max_name_length = 24;
/// Most units a student may order in a month: far above any firm's needs, below overflow.
inline constexpr double max_order_units = 1e9;
/// Most MXN a student may ask to borrow in a month.
inline constexpr double max_borrow_mxn = 1e10;
/// Fastest and slowest clock the teacher may set (milliseconds per month).
inline constexpr int min_speed_ms = 20;
inline constexpr int max_speed_ms = 10000;
/// Longest round a teacher may give students to decide (seconds; 0: no rounds).
inline constexpr int max_round_seconds = 600;

/// The teacher's page joins with the teacher key printed at start.
struct JoinTeacher {
    std::string key;
};
/// A student joins with the class code and a name; `token` reclaims the firm after a reconnection.
struct JoinStudent {
    std::string code;
    std::string name;
    std::string token;
};
struct Start {};
struct Pause {};
struct Step {};
struct Speed {
    int ms_per_month;
};
/// Seconds students get for each month's decision (0: the clock does not wait for them).
struct Rounds {
    int seconds;
};
/// A lever or a shock pulled from now on: the lever's name (classroom levers) and its value.
struct PullLever {
    std::string lever;
    double value;
};
struct Restart {
    std::int64_t seed;
};
/// End the class now: the closing screen.
struct Finish {};
/// A student's decision for the coming month. No order: the model's own rule.
struct Decide {
    std::optional<double> order_units;
    bool start_certification = false;
    double borrow_mxn = 0;
};

using Message = std::variant<JoinTeacher, JoinStudent, Start, Pause, Step, Speed, Rounds, PullLever, Restart, Finish,
                             Decide>;

/// A message refused: why, in words for the sender.
struct Refusal {
    std::string reason;
};

/// Parses one message; a Refusal says what is wrong with it.
std::variant<Message, Refusal> parse_message(std::string_view text);

/// Whether a message is one only the teacher may send.
bool is_teacher_message(const Message& message) noexcept;

/// Whether a request path names a page file: "/static/NAME" with NAME letters,
/// digits, '_' or '-' and the extension .html, .js or .css; the file's name
/// or nothing. Nothing outside the page folder can be named (no '/', no '..').
std::optional<std::string> static_file_name(std::string_view target);

/// `text` as the inside of a JSON string literal.
std::string json_escape(std::string_view text);
/// A number as JSON: finite values in full precision, others as null.
std::string json_number(double value);

}  // namespace tiersim::app::classroom
