// The one translation unit that compiles Asio, Asio SSL and Beast (BOOST_*_SEPARATE_COMPILATION): every
// other file only includes their declarations, which keeps rebuilds fast.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>

// Beast is compiled without BOOST_ASSERT, as in a release build. Beast 1.81's chunked parser asserts that a
// read which follows a last chunk ("0\r\n") brings at least two more bytes: a client that sends an empty
// chunked body byte by byte aborted the server in any build with assertions (debugoptimized, the default).
// Without the assertion the parser reads such a request correctly (fuzz/http_request_fuzz).
#define BOOST_DISABLE_ASSERTS
#include <boost/assert.hpp>
#include <boost/beast/src.hpp>
