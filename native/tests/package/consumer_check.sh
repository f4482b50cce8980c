#!/usr/bin/env bash
# Builds a plugin against the C SDK the way a user outside this repository does, and runs it through nplug-c-host:
#   consumer_check.sh subdirectory <repo> <host> <work>     add_subdirectory(<repo>) + np_add_plugin
#   consumer_check.sh find_package <build> <host> <work>    cmake --install <build> into <work>/prefix, then
#                                                           find_package(NativePlugins) + np_add_plugin
#   consumer_check.sh plain-cc <build> <host> <work>        the same install, then `cc -shared plugin.c libnp_c_sdk.a`
#                                                           with no --undefined=np_entry (the registration macros must
#                                                           pull the SDK's np_entry in by themselves)
# Each mode also builds the variant that defines its own np_entry, which must win over the SDK's.
# Environment: CC, CMAKE_GENERATOR (from ctest). <work> is emptied first.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: consumer_check.sh subdirectory|find_package|plain-cc <repo|build> <host> <work>" >&2; exit 2; }
mode="$1" from="$2" host="$3" work="$4"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "consumer_check ($mode): $*" >&2; exit 1; }

# Run a log-producing command; show the log only when it fails.
quiet() { "$@" >"$work/step.log" 2>&1 || { cat "$work/step.log" >&2; fail "failed: $*"; }; }

install_prefix() {
  quiet cmake --install "$from" --prefix "$work/prefix" --component sdk
  [ -f "$work/prefix/lib/libnp_c_sdk.a" ] || fail "cmake --install $from wrote no lib/libnp_c_sdk.a"
}

configure_consumer() { # extra cmake args...
  # No CMAKE_BUILD_TYPE: the SDK must not pick one for its consumer.
  quiet cmake -S "$here/consumer" -B "$work/build" "$@"
  grep -q '^CMAKE_BUILD_TYPE:STRING=$' "$work/build/CMakeCache.txt" ||
    fail "the consumer's CMAKE_BUILD_TYPE was set by the SDK: $(grep '^CMAKE_BUILD_TYPE' "$work/build/CMakeCache.txt")"
  quiet cmake --build "$work/build" --target pkg_upper pkg_own_entry
  # np_add_plugin's consumer default: the calling folder's CMAKE_CURRENT_BINARY_DIR.
  lib="$work/build/libpkg_upper.so"
  own="$work/build/libpkg_own_entry.so"
}

case "$mode" in
  subdirectory)
    configure_consumer -DNP_CONSUMER_ADD_SUBDIRECTORY="$from"
    # A subproject builds the SDK parts only.
    for part in plugins/c fixtures tests rust hosted-shim; do
      [ ! -d "$work/build/nativeplugins/native/$part" ] || fail "add_subdirectory configured native/$part"
    done ;;
  find_package)
    install_prefix
    configure_consumer -DCMAKE_PREFIX_PATH="$work/prefix" ;;
  plain-cc)
    install_prefix
    cc="${CC:-cc}"
    inc=(-I"$work/prefix/include")
    # The trap this guards against: nothing here asks for np_entry, only the registration macro's reference does.
    quiet "$cc" -std=c11 -shared -fPIC -fvisibility=hidden "${inc[@]}" "$here/plugin.c" "$work/prefix/lib/libnp_c_sdk.a" \
      -pthread -o "$work/libpkg_upper.so"
    quiet "$cc" -std=c11 -shared -fPIC -fvisibility=hidden -DPKG_TEST_OWN_ENTRY "${inc[@]}" "$here/plugin.c" \
      "$work/prefix/lib/libnp_c_sdk.a" -pthread -o "$work/libpkg_own_entry.so"
    lib="$work/libpkg_upper.so"
    own="$work/libpkg_own_entry.so" ;;
  *) fail "unknown mode" ;;
esac

# The plugin works: listed, and it transforms.
listing="$("$host" list "$lib" 2>&1)" || fail "nplug-c-host list $lib failed: $listing"
grep -q "org.nativeplugins.test.pkg-upper" <<< "$listing" || fail "$lib does not list its plugin: $listing"
got="$(printf 'hello\n' | "$host" run --quiet "$lib:org.nativeplugins.test.pkg-upper")" || fail "run failed"
[ "$got" = "HELLO" ] || fail "run printed '$got', expected HELLO"
# The library's own np_entry won (it refuses: exit 3, NP_ERR_UNSUPPORTED), and the link did not fail on a duplicate.
set +e
refused="$("$host" list "$own" 2>&1)"
rc=$?
set -e
[ "$rc" -ne 0 ] && grep -q "NP_ERR_UNSUPPORTED" <<< "$refused" ||
  fail "$own: expected its own np_entry to refuse with NP_ERR_UNSUPPORTED, got (exit $rc): $refused"
echo "consumer_check ($mode): ok"
