# The tests that also run on the board (tests/board/CMakeLists.txt), as
# paths under tests/ without .c. The others need threads, pcap or TAP
# (tcp_seg_test, tcp_flood_test: tseg.h reads the wire back with libpcap;
# tcp_flood_test also mallinfo2), or compare with the host's C library
# (opt_test: glibc's inet6_opt_*), or are sized for a workstation beyond
# the board's 4 MiB of RAM (ip6_reass_test: a table of 20000 datagrams,
# ENOMEM in the 3 MiB arena; fault_test: its static tables and the
# arena overflow the RAM by 0.6 MiB, it does not link). Single cases that need what bare lacks are left out below.
set(SIX_BOARD_TESTS
  unit/core_array_test unit/core_hash_test unit/core_pkt_test unit/core_rand_test
  unit/ip6_addr_test unit/ip6_frag_out_test unit/ip6_input_scope_test unit/ip6_mcast_test
  unit/ip6_pmtu_test
  unit/wire_cksum_test unit/wire_ether_test unit/wire_ext_test unit/wire_icmp6_test
  unit/wire_ipv6_test unit/wire_mld_test unit/wire_nd_test unit/wire_udp_test
  unit/wire_tcp_test
  integ/dad_test integ/ip6_input_test integ/mcast_test integ/mld_test integ/msf_test
  integ/nd_test integ/ra_test integ/reass_test integ/segment_test integ/sockopt_test
  integ/netdev_test integ/udp6_test integ/tcp6_test
  board/bare_test)
# Cases left out on the board, by file: "-CASE" arguments to the program.
# IPsec is off on bare; a second thread (sndtimeo) does not exist there;
# the bulk transfer holds 2 x 4 MiB and the lossy ones 2.5 MiB each, more
# than the board's arena.
set(SIX_BOARD_SKIP_sockopt_test -ipsec_levels_kept_each_on_its_own)
set(SIX_BOARD_SKIP_udp6_test -udp_sndtimeo_bounds_a_blocking_send)
set(SIX_BOARD_SKIP_tcp6_test -tcp_bulk_transfer_arrives_intact
  -tcp_transfer_survives_loss_duplication_reordering_cubic
  -tcp_transfer_survives_loss_duplication_reordering_reno -tcp_transfer_survives_heavy_loss)
