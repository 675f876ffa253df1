/**
 * Replies of a real redis-7.0.15 node in a 3×1 cluster, recorded by
 * scripts/record-fake-replies.ts: the fake cluster copies their fields, in their order, and replaces
 * only what differs per node (ids, ports, times, offsets).
 */
export const RECORDED = {
  server: '7.0.15',
  master: {
    info: {
      server:
        '# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:ae4d7c971a948f0\r\nredis_mode:cluster\r\nos:Linux 6.18.44-fc-v1300 x86_64\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\nprocess_id:17468\r\nprocess_supervised:no\r\nrun_id:e9c47671f683d0ddf17de4e91d7f90d9411d0bfc\r\ntcp_port:35285\r\nserver_time_usec:1796585904814886\r\nuptime_in_seconds:2\r\nuptime_in_days:0\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:1423792\r\nexecutable:/tmp/cluster-doctor-node-0a6iM1/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\n',
      replication:
        '# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=42713,state=online,offset=0,lag=0\r\nmaster_failover_state:no-failover\r\nmaster_replid:f5463748e37d91cb4de70aa7a4d6ea499e90ee59\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:0\r\n',
      memory:
        '# Memory\r\nused_memory:2007520\r\nused_memory_human:1.91M\r\nused_memory_rss:13291520\r\nused_memory_rss_human:12.68M\r\nused_memory_peak:2030880\r\nused_memory_peak_human:1.94M\r\nused_memory_peak_perc:98.85%\r\nused_memory_overhead:1633860\r\nused_memory_startup:1600504\r\nused_memory_dataset:373660\r\nused_memory_dataset_perc:91.80%\r\nallocator_allocated:2724104\r\nallocator_active:3088384\r\nallocator_resident:5910528\r\ntotal_system_memory:25276182528\r\ntotal_system_memory_human:23.54G\r\nused_memory_lua:32768\r\nused_memory_vm_eval:32768\r\nused_memory_lua_human:32.00K\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:33792\r\nused_memory_vm_total:66560\r\nused_memory_vm_total_human:65.00K\r\nused_memory_functions:200\r\nused_memory_scripts:200\r\nused_memory_scripts_human:200B\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\nallocator_frag_ratio:1.13\r\nallocator_frag_bytes:364280\r\nallocator_rss_ratio:1.91\r\nallocator_rss_bytes:2822144\r\nrss_overhead_ratio:2.25\r\nrss_overhead_bytes:7380992\r\nmem_fragmentation_ratio:6.69\r\nmem_fragmentation_bytes:11304768\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:4\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:22272\r\nmem_cluster_links:10880\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n',
      keyspace: '# Keyspace\r\n',
      default:
        '# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:ae4d7c971a948f0\r\nredis_mode:cluster\r\nos:Linux 6.18.44-fc-v1300 x86_64\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\nprocess_id:17468\r\nprocess_supervised:no\r\nrun_id:e9c47671f683d0ddf17de4e91d7f90d9411d0bfc\r\ntcp_port:35285\r\nserver_time_usec:1796585904815194\r\nuptime_in_seconds:2\r\nuptime_in_days:0\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:1423792\r\nexecutable:/tmp/cluster-doctor-node-0a6iM1/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\n\r\n# Clients\r\nconnected_clients:1\r\ncluster_connections:10\r\nmaxclients:10000\r\nclient_recent_max_input_buffer:20480\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n\r\n# Memory\r\nused_memory:1988584\r\nused_memory_human:1.90M\r\nused_memory_rss:13291520\r\nused_memory_rss_human:12.68M\r\nused_memory_peak:2030880\r\nused_memory_peak_human:1.94M\r\nused_memory_peak_perc:97.92%\r\nused_memory_overhead:1633860\r\nused_memory_startup:1600504\r\nused_memory_dataset:354724\r\nused_memory_dataset_perc:91.40%\r\nallocator_allocated:2724104\r\nallocator_active:3088384\r\nallocator_resident:5910528\r\ntotal_system_memory:25276182528\r\ntotal_system_memory_human:23.54G\r\nused_memory_lua:32768\r\nused_memory_vm_eval:32768\r\nused_memory_lua_human:32.00K\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:33792\r\nused_memory_vm_total:66560\r\nused_memory_vm_total_human:65.00K\r\nused_memory_functions:200\r\nused_memory_scripts:200\r\nused_memory_scripts_human:200B\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\nallocator_frag_ratio:1.13\r\nallocator_frag_bytes:364280\r\nallocator_rss_ratio:1.91\r\nallocator_rss_bytes:2822144\r\nrss_overhead_ratio:2.25\r\nrss_overhead_bytes:7380992\r\nmem_fragmentation_ratio:6.69\r\nmem_fragmentation_bytes:11304768\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:4\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:22272\r\nmem_cluster_links:10880\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n\r\n# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\nrdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:1796585902\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:0\r\nrdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\nrdb_last_cow_size:397312\r\nrdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n\r\n# Stats\r\ntotal_connections_received:2\r\ntotal_commands_processed:66\r\ninstantaneous_ops_per_sec:23\r\ntotal_net_input_bytes:2140\r\ntotal_net_output_bytes:32699\r\ntotal_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:259\r\ninstantaneous_input_kbps:0.70\r\ninstantaneous_output_kbps:10.90\r\ninstantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.16\r\nrejected_connections:0\r\nsync_full:1\r\nsync_partial_ok:0\r\nsync_partial_err:1\r\nexpired_keys:0\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:0\r\nevicted_keys:0\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\nkeyspace_hits:0\r\nkeyspace_misses:0\r\npubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\nlatest_fork_usec:415\r\ntotal_forks:1\r\nmigrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\nactive_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\ntracking_total_prefixes:0\r\nunexpected_error_replies:0\r\ntotal_error_replies:2\r\ndump_payload_sanitizations:0\r\ntotal_reads_processed:66\r\ntotal_writes_processed:62\r\nio_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\nreply_buffer_shrinks:2\r\nreply_buffer_expands:0\r\n\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\nslave0:ip=127.0.0.1,port=42713,state=online,offset=0,lag=0\r\nmaster_failover_state:no-failover\r\nmaster_replid:f5463748e37d91cb4de70aa7a4d6ea499e90ee59\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:0\r\n\r\n# CPU\r\nused_cpu_sys:0.009830\r\nused_cpu_user:0.015362\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000906\r\nused_cpu_sys_main_thread:0.012528\r\nused_cpu_user_main_thread:0.012528\r\n\r\n# Modules\r\n\r\n# Errorstats\r\nerrorstat_ERR:count=2\r\n\r\n# Cluster\r\ncluster_enabled:1\r\n\r\n# Keyspace\r\n',
    },
    clusterInfo:
      'cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:6\r\ncluster_size:3\r\ncluster_current_epoch:6\r\ncluster_my_epoch:1\r\ncluster_stats_messages_ping_sent:35\r\ncluster_stats_messages_pong_sent:35\r\ncluster_stats_messages_sent:70\r\ncluster_stats_messages_ping_received:30\r\ncluster_stats_messages_pong_received:35\r\ncluster_stats_messages_meet_received:5\r\ncluster_stats_messages_received:70\r\ntotal_cluster_links_buffer_limit_exceeded:0\r\n',
  },
  replica: {
    info: {
      server:
        '# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:ae4d7c971a948f0\r\nredis_mode:cluster\r\nos:Linux 6.18.44-fc-v1300 x86_64\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\nprocess_id:17471\r\nprocess_supervised:no\r\nrun_id:22832c86597a59929c36106e096f5123897f7e0d\r\ntcp_port:42713\r\nserver_time_usec:1796585904815496\r\nuptime_in_seconds:2\r\nuptime_in_days:0\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:1423792\r\nexecutable:/tmp/cluster-doctor-node-20MoSU/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\n',
      replication:
        '# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:35285\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:1\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:0\r\nslave_repl_offset:0\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:f5463748e37d91cb4de70aa7a4d6ea499e90ee59\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:0\r\n',
      memory:
        '# Memory\r\nused_memory:1968448\r\nused_memory_human:1.88M\r\nused_memory_rss:13250560\r\nused_memory_rss_human:12.64M\r\nused_memory_peak:1968448\r\nused_memory_peak_human:1.88M\r\nused_memory_peak_perc:100.01%\r\nused_memory_overhead:1641766\r\nused_memory_startup:1600472\r\nused_memory_dataset:326682\r\nused_memory_dataset_perc:88.78%\r\nallocator_allocated:2629368\r\nallocator_active:2957312\r\nallocator_resident:5767168\r\ntotal_system_memory:25276182528\r\ntotal_system_memory_human:23.54G\r\nused_memory_lua:32768\r\nused_memory_vm_eval:32768\r\nused_memory_lua_human:32.00K\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:33792\r\nused_memory_vm_total:66560\r\nused_memory_vm_total_human:65.00K\r\nused_memory_functions:200\r\nused_memory_scripts:200\r\nused_memory_scripts_human:200B\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\nallocator_frag_ratio:1.12\r\nallocator_frag_bytes:327944\r\nallocator_rss_ratio:1.95\r\nallocator_rss_bytes:2809856\r\nrss_overhead_ratio:2.30\r\nrss_overhead_bytes:7483392\r\nmem_fragmentation_ratio:6.89\r\nmem_fragmentation_bytes:11327536\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:4\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:24072\r\nmem_cluster_links:17018\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n',
      keyspace: '# Keyspace\r\n',
      default:
        '# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:ae4d7c971a948f0\r\nredis_mode:cluster\r\nos:Linux 6.18.44-fc-v1300 x86_64\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\nprocess_id:17471\r\nprocess_supervised:no\r\nrun_id:22832c86597a59929c36106e096f5123897f7e0d\r\ntcp_port:42713\r\nserver_time_usec:1796585904815625\r\nuptime_in_seconds:2\r\nuptime_in_days:0\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:1423792\r\nexecutable:/tmp/cluster-doctor-node-20MoSU/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\n\r\n# Clients\r\nconnected_clients:2\r\ncluster_connections:10\r\nmaxclients:10000\r\nclient_recent_max_input_buffer:20480\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n\r\n# Memory\r\nused_memory:1949512\r\nused_memory_human:1.86M\r\nused_memory_rss:13250560\r\nused_memory_rss_human:12.64M\r\nused_memory_peak:1968448\r\nused_memory_peak_human:1.88M\r\nused_memory_peak_perc:99.04%\r\nused_memory_overhead:1641766\r\nused_memory_startup:1600472\r\nused_memory_dataset:307746\r\nused_memory_dataset_perc:88.17%\r\nallocator_allocated:2629368\r\nallocator_active:2957312\r\nallocator_resident:5767168\r\ntotal_system_memory:25276182528\r\ntotal_system_memory_human:23.54G\r\nused_memory_lua:32768\r\nused_memory_vm_eval:32768\r\nused_memory_lua_human:32.00K\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:33792\r\nused_memory_vm_total:66560\r\nused_memory_vm_total_human:65.00K\r\nused_memory_functions:200\r\nused_memory_scripts:200\r\nused_memory_scripts_human:200B\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:noeviction\r\nallocator_frag_ratio:1.12\r\nallocator_frag_bytes:327944\r\nallocator_rss_ratio:1.95\r\nallocator_rss_bytes:2809856\r\nrss_overhead_ratio:2.30\r\nrss_overhead_bytes:7483392\r\nmem_fragmentation_ratio:6.89\r\nmem_fragmentation_bytes:11327536\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:4\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:24072\r\nmem_cluster_links:17018\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n\r\n# Persistence\r\nloading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\nrdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:1796585902\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n\r\n# Stats\r\ntotal_connections_received:1\r\ntotal_commands_processed:30\r\ninstantaneous_ops_per_sec:2\r\ntotal_net_input_bytes:1385\r\ntotal_net_output_bytes:14702\r\ntotal_net_repl_input_bytes:259\r\ntotal_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:0.25\r\ninstantaneous_output_kbps:1.12\r\ninstantaneous_input_repl_kbps:0.16\r\ninstantaneous_output_repl_kbps:0.00\r\nrejected_connections:0\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:0\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:0\r\nevicted_keys:0\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\nkeyspace_hits:0\r\nkeyspace_misses:0\r\npubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\nactive_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\ntracking_total_prefixes:0\r\nunexpected_error_replies:0\r\ntotal_error_replies:2\r\ndump_payload_sanitizations:0\r\ntotal_reads_processed:29\r\ntotal_writes_processed:31\r\nio_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\nreply_buffer_shrinks:2\r\nreply_buffer_expands:0\r\n\r\n# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:35285\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:1\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:0\r\nslave_repl_offset:0\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:f5463748e37d91cb4de70aa7a4d6ea499e90ee59\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:1\r\nrepl_backlog_histlen:0\r\n\r\n# CPU\r\nused_cpu_sys:0.010624\r\nused_cpu_user:0.007086\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:0.010564\r\nused_cpu_user_main_thread:0.007059\r\n\r\n# Modules\r\n\r\n# Errorstats\r\nerrorstat_ERR:count=2\r\n\r\n# Cluster\r\ncluster_enabled:1\r\n\r\n# Keyspace\r\n',
    },
    clusterInfo:
      'cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_slots_pfail:0\r\ncluster_slots_fail:0\r\ncluster_known_nodes:6\r\ncluster_size:3\r\ncluster_current_epoch:6\r\ncluster_my_epoch:1\r\ncluster_stats_messages_ping_sent:34\r\ncluster_stats_messages_pong_sent:35\r\ncluster_stats_messages_meet_sent:1\r\ncluster_stats_messages_sent:70\r\ncluster_stats_messages_ping_received:35\r\ncluster_stats_messages_pong_received:35\r\ncluster_stats_messages_received:70\r\ntotal_cluster_links_buffer_limit_exceeded:0\r\n',
  },
  config: {
    'cluster-*': [
      'cluster-replica-validity-factor',
      '10',
      'cluster-enabled',
      'yes',
      'cluster-allow-pubsubshard-when-down',
      'yes',
      'cluster-replica-no-failover',
      'no',
      'cluster-migration-barrier',
      '1',
      'cluster-slave-no-failover',
      'no',
      'cluster-allow-reads-when-down',
      'no',
      'cluster-port',
      '43965',
      'cluster-allow-replica-migration',
      'yes',
      'cluster-slave-validity-factor',
      '10',
      'cluster-announce-ip',
      '',
      'cluster-announce-hostname',
      '',
      'cluster-node-timeout',
      '2000',
      'cluster-announce-tls-port',
      '0',
      'cluster-link-sendbuf-limit',
      '0',
      'cluster-require-full-coverage',
      'yes',
      'cluster-announce-port',
      '0',
      'cluster-announce-bus-port',
      '0',
      'cluster-config-file',
      'nodes.conf',
      'cluster-preferred-endpoint-type',
      'ip',
    ],
    'maxmemory*': [
      'maxmemory-policy',
      'noeviction',
      'maxmemory-eviction-tenacity',
      '10',
      'maxmemory-samples',
      '5',
      'maxmemory',
      '0',
      'maxmemory-clients',
      '0',
    ],
  },
  errors: {
    unknownCommand: "ERR unknown command 'FOO', with args beginning with: 'bar' ",
    unknownSubcommand: "ERR unknown subcommand 'FOO'. Try CLUSTER HELP.",
  },
} as const;
