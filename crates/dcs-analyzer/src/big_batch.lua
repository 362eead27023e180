#!lua flags=no-writes,allow-cross-slot-keys
-- One batch of a big-key scan, done inside the server (scan_script.rs): SCAN, then TYPE and the
-- size of each key (bytes of a string, elements of a collection). ARGV[3], ARGV[4]… are pairs of
-- a type and the least size a key of that type must have to be kept (a type not named: any
-- size). Replies the next cursor, the number of keys scanned, then name, type and size of each
-- key kept; keys of other types (modules') are skipped, as the pipelined way skips them.
local batch = redis.call('SCAN', ARGV[1], 'COUNT', ARGV[2])
local size_of = {string = 'STRLEN', list = 'LLEN', set = 'SCARD', zset = 'ZCARD',
  hash = 'HLEN', stream = 'XLEN'}
local least = {}
for i = 3, #ARGV, 2 do
  least[ARGV[i]] = tonumber(ARGV[i + 1])
end
local out = {batch[1], #batch[2]}
for _, key in ipairs(batch[2]) do
  -- 'none': the key expired or was deleted since SCAN returned it.
  local kind = redis.call('TYPE', key)['ok']
  local size_command = size_of[kind]
  if size_command then
    local size = redis.call(size_command, key)
    if size >= (least[kind] or 0) then
      out[#out + 1] = key
      out[#out + 1] = kind
      out[#out + 1] = size
    end
  end
end
return out
