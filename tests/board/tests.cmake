# The tests that also run on the board (tests/board/CMakeLists.txt), as
# paths under tests/ without .c. The others need threads, pcap or TAP, or
# compare with the host's C library (opt_test: glibc's inet6_opt_*), or
# are sized for a workstation (ip6_reass_test's tables of thousands of
# datagrams, fault_test's long runs: seconds under QEMU), or threads
# (udp6_test). Single cases that need what bare lacks (IPsec) are left out
# below.
set(SIX_BOARD_TESTS
  unit/core_array_test unit/core_hash_test unit/core_pkt_test unit/core_rand_test
  unit/ip6_addr_test unit/ip6_frag_out_test unit/ip6_input_scope_test unit/ip6_mcast_test
  unit/ip6_pmtu_test
  unit/wire_cksum_test unit/wire_ether_test unit/wire_ext_test unit/wire_icmp6_test
  unit/wire_ipv6_test unit/wire_mld_test unit/wire_nd_test unit/wire_udp_test
  integ/dad_test integ/ip6_input_test integ/mcast_test integ/mld_test integ/msf_test
  integ/nd_test integ/ra_test integ/reass_test integ/segment_test integ/sockopt_test
  integ/netdev_test board/bare_test)
# Cases left out on the board, by file: "-CASE" arguments to the program.
set(SIX_BOARD_SKIP_sockopt_test -ipsec_levels_kept_each_on_its_own)
