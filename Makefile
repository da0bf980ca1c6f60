# sixstack: a thin wrapper over CMake + CTest.
#   make demo    install what is missing, build, run two hosts on an in-memory link
#   make test    install what is missing, build (also with ASan+UBSan), run every test
#   make bench   release build, run every benchmark pinned to one core, summary
#   make bench-preload  iperf3 on sixstack (TAP) and on the kernel (veth), as root
#   make install install the library, headers, pkg-config file and man pages
#   make fuzz    run every fuzz harness for FUZZ_SECONDS each
#                (FUZZ_TRACE_CMP=OFF FUZZB=build-fuzz-notc: without comparison tracing)
#   make fuzz-long  one long run of FUZZ_HARNESS for FUZZ_SECONDS, counted in
#                $(FUZZ_LONG)/runs.tsv (scripts/fuzz-long.sh; --sum adds them up)
#   make flood   the neighbour-cache flood test (TAP, root) for FLOOD_SECONDS
#   make board-demo  sixstack on an emulated Cortex-M3 board that Linux pings
#   make interop-long  the long interop runs (100 MiB TCP transfers with Linux)

BUILD    ?= build
ASAN     ?= build-asan
RELEASE  ?= build-release
FUZZB    ?= build-fuzz
JOBS     ?= $(shell nproc)
PREFIX   ?= /usr/local
FUZZ_SECONDS ?= 60
FUZZ_TRACE_CMP ?=
FUZZ_HARNESS ?= nd_fuzz
FUZZ_LONG ?= fuzz-long
OUT      ?= out

# Debian packages the build, the tests and the demo use.
# liblwip-dev: lwIP 2.1.3, the benchmarks' in-process reference (bench/lwip_ref.c).
# user-mode-linux, kmod: a Linux guest with netem and IPsec for the interop
# parts this machine's kernel cannot run (tests/interop/uml-lib.bash).
# socat, iputils-tracepath, iperf3, curl, nginx-light: real programs the
# preload tests run on sixstack and on the kernel (tests/interop/run_*.sh).
# libssl-dev: OpenSSL's libcrypto, IPsec's ciphers (src/ipsec/crypto_openssl.c);
# zlib1g-dev: DEFLATE for IPComp (src/ipsec/comp_zlib.c).
# gcc-arm-none-eabi, picolibc-arm-none-eabi, qemu-system-arm: the bare port's
# cross build and the board its tests run on (tests/board/).
DEPS := cmake make gcc clang pkg-config libpcap-dev libclang-rt-14-dev llvm tshark \
        iproute2 iputils-ping ndisc6 python3 python3-scapy groff-base liblwip-dev \
        user-mode-linux kmod socat libssl-dev zlib1g-dev gcc-arm-none-eabi \
        picolibc-arm-none-eabi qemu-system-arm iputils-tracepath iperf3 curl nginx-light

.PHONY: all deps build asan release test demo board-demo bench bench-preload install fuzz fuzz-long fuzz-smoke flood format clean interop-long

all: build

deps:
	@missing=""; for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

# The sanitizer build uses clang, the default one gcc: both compile with -Werror.
asan: deps
	CC=clang cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DSIX_SANITIZE=ON -DSIX_BENCH=OFF
	cmake --build $(ASAN) -j$(JOBS)

# The Release flags (-O3) warn where the others do not; building it in
# make test keeps make bench from breaking unseen.
release: deps
	cmake -S . -B $(RELEASE) -DCMAKE_BUILD_TYPE=Release -DSIX_TESTS=OFF
	cmake --build $(RELEASE) -j$(JOBS)

test: build asan release
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS)

# The long interop runs (root): 100 MiB each way between sixstack and the
# Linux kernel over a TAP, clean and through 1 % loss, reordering and delay.
interop-long: build
	SIX_TCP_BYTES=104857600 SIX_TCP_TIMEOUT=3000 bash tests/interop/netns_tcp.sh $(BUILD) .
	SIX_TCP_LOSS_BYTES=104857600 SIX_TCP_TIMEOUT=3000 bash tests/interop/netns_tcp_loss.sh $(BUILD) .

demo: build
	@mkdir -p $(OUT)
	$(BUILD)/tools/sixstack-demo -o $(OUT)/demo.pcap
	@echo; echo "== the capture, decoded by tshark"
	tshark -r $(OUT)/demo.pcap 2>/dev/null
	@bad=$$(tshark -r $(OUT)/demo.pcap -Y '_ws.malformed || _ws.expert.severity >= "error"' 2>/dev/null | wc -l); \
	  if [ "$$bad" -ne 0 ]; then echo "tshark: $$bad malformed packets"; exit 1; fi; \
	  echo "tshark: no malformed packets in $(OUT)/demo.pcap"

# The bare port on an emulated Cortex-M3 board (mps2-an385) that Linux
# pings: the firmware (firmware/) in QEMU, on a TAP in a network namespace.
board-demo: deps
	tests/board/build.sh $(BUILD) $(CURDIR) firmware
	scripts/board-demo.sh $(BUILD)/board-fw/firmware/sixstack-board

bench: release
	bench/run.sh $(RELEASE)

# The same iperf3 binary on sixstack and on the kernel (needs root).
bench-preload: release
	bench/preload_iperf3.sh $(RELEASE) 5

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

fuzz: deps
	CC=clang SIX_FUZZ_TRACE_CMP=$(FUZZ_TRACE_CMP) scripts/fuzz-smoke.sh $(FUZZB) $(FUZZ_SECONDS)

fuzz-long: deps
	CC=clang SIX_FUZZ_TRACE_CMP=$(FUZZ_TRACE_CMP) scripts/fuzz-long.sh $(FUZZB) $(FUZZ_HARNESS) $(FUZZ_SECONDS) $(FUZZ_LONG)

# make test runs it for 3 s.
FLOOD_SECONDS ?= 30
flood: build
	FLOOD_SECONDS=$(FLOOD_SECONDS) bash tests/interop/netns_flood.sh $(BUILD) .

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN) $(RELEASE) $(FUZZB) $(OUT)
