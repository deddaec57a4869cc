using System.Security.Cryptography;
using System.Text;

namespace MarketPulse.Analysis.Dedup;

/// <summary>
/// The server side of the index. Each check runs as one Lua script, so look-up and insert are a single
/// atomic step: two copies racing from two workers are serialised by Redis and the second sees the first.
/// Scripts use Redis 7.0 core commands and the struct library of its Lua 5.1; every key a script touches
/// shares the hash tag of KEYS[1], so the index works on Redis Cluster too.
/// </summary>
internal static class DedupScripts
{
    /// <summary>
    /// The band insert both inserting scripts share: appends a packed handle to a band field whose current value
    /// (false when absent) the caller has. A band key's TTL ends at the same instant for every insert of its
    /// bucket (bucket end plus window), so it is set when a field is created; a key that holds a field has it.
    /// </summary>
    private const string AppendHandle = """
        local function appendHandle(key, field, v, packed, ttl)
          if v then
            redis.call('HSET', key, field, v .. packed)
          else
            redis.call('HSET', key, field, packed)
            redis.call('PEXPIRE', key, ttl)
          end
        end

        """;

    /// <summary>
    /// KEYS[1] exact-hash key. ARGV: now (ms), window (ms), item id.
    /// Value: float64 time of the first item, then its id. Returns {'new'}, {'self'} or {'dup', id}.
    /// </summary>
    public const string Exact = """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local v = redis.call('GET', KEYS[1])
        if v and #v >= 8 then
          local t = struct.unpack('<d', v)
          if now - t < window then
            local id = string.sub(v, 9)
            if id == ARGV[3] then return {'self'} end
            return {'dup', id}
          end
        end
        redis.call('SET', KEYS[1], struct.pack('<d', now) .. ARGV[3], 'PX', ARGV[2])
        return {'new'}
        """;

    /// <summary>
    /// KEYS[1] time-ordered set of handles, KEYS[2] handle counter.
    /// ARGV: 1 namespace (hash-tagged), 2 now (ms), 3 window (ms), 4 TTL of the current bucket's band keys (ms),
    /// 5 threshold, 6 max vectors, 7 max candidates, 8 item id, 9 dimensions, 10 query (float32 LE),
    /// 11 stored form (float32 1/norm + int8 components), 12 band count n, 13 bucket count m, then n·m band keys
    /// (bucket by bucket, the current bucket last), then n fields.
    /// Band keys (ns:b:layout:bucket:band:high bits) are hashes from the low bits to packed uint32 handles.
    /// Vector keys: ns:v:handle = float64 time .. stored form .. item id, with a TTL of the window.
    /// Returns {'near', id, similarity, examined, size} or {'original', handle, best similarity, examined, size};
    /// 'self' instead of 'near' when the match is this very item (a retried call).
    /// </summary>
    public const string Near = AppendHandle + """
        local zkey, seqkey = KEYS[1], KEYS[2]
        local ns = ARGV[1]
        local now = tonumber(ARGV[2])
        local window = tonumber(ARGV[3])
        local bucketTtl = tonumber(ARGV[4])
        local threshold = tonumber(ARGV[5])
        local maxVectors = tonumber(ARGV[6])
        local maxCandidates = tonumber(ARGV[7])
        local itemId = ARGV[8]
        local dims = tonumber(ARGV[9])
        local query = ARGV[10]
        local stored = ARGV[11]
        local nb = tonumber(ARGV[12])
        local nk = nb * tonumber(ARGV[13])
        local fields = 13 + nk

        -- the current bucket's band values (its keys come last) are kept for the insert, which appends to them
        local hits, handles, current, changed = {}, {}, {}, false
        for k = 1, nk do
          local v = redis.call('HGET', ARGV[13 + k], ARGV[fields + (k - 1) % nb + 1])
          if k > nk - nb then current[k - nk + nb] = v end
          if v then
            for p = 1, #v, 4 do
              local h = struct.unpack('<I4', v, p)
              local c = hits[h]
              if c then hits[h] = c + 1 else hits[h] = 1; handles[#handles + 1] = h end
            end
          end
        end

        if #handles > maxCandidates then
          table.sort(handles, function(a, c) return hits[a] > hits[c] end)
        end

        local q = {struct.unpack('<' .. string.rep('f', dims), query)}
        local fmt = '<df' .. string.rep('b', dims)
        local best, bestId, selfMatch, examined = 0, nil, false, 0
        for i = 1, math.min(#handles, maxCandidates) do
          local h = handles[i]
          local rec = redis.call('GET', ns .. ':v:' .. h)
          if not rec then
            -- expired or evicted: drop the stale handle from the band values that hold it
            local packed = struct.pack('<I4', h)
            for k = 1, nk do
              local key, field = ARGV[13 + k], ARGV[fields + (k - 1) % nb + 1]
              local v = redis.call('HGET', key, field)
              if v and string.find(v, packed, 1, true) then
                local out = {}
                for p = 1, #v, 4 do
                  if struct.unpack('<I4', v, p) ~= h then out[#out + 1] = string.sub(v, p, p + 3) end
                end
                if #out == 0 then redis.call('HDEL', key, field) else redis.call('HSET', key, field, table.concat(out)) end
                changed = true
              end
            end
          elseif #rec >= 12 + dims then
            local r = {struct.unpack(fmt, rec)}
            if now - r[1] < window then
              examined = examined + 1
              local s = 0
              for d = 1, dims do s = s + q[d] * r[d + 2] end
              s = s * r[2]
              local id = string.sub(rec, 13 + dims)
              if s >= threshold and id == itemId then selfMatch = true end
              if s > best then best, bestId = s, id end
            end
          end
        end

        if selfMatch then
          return {'self', itemId, tostring(best), examined, redis.call('ZCARD', zkey)}
        end
        if bestId and best >= threshold then
          return {'near', bestId, tostring(best), examined, redis.call('ZCARD', zkey)}
        end

        local h = redis.call('INCR', seqkey) % 4294967296
        redis.call('PEXPIRE', seqkey, bucketTtl)
        redis.call('SET', ns .. ':v:' .. h, struct.pack('<d', now) .. stored .. itemId, 'PX', window)
        local packed = struct.pack('<I4', h)
        for j = 1, nb do
          local key, field = ARGV[13 + nk - nb + j], ARGV[fields + j]
          local v = current[j]
          if changed then v = redis.call('HGET', key, field) end
          appendHandle(key, field, v, packed, bucketTtl)
        end
        redis.call('ZADD', zkey, now, h)
        redis.call('ZREMRANGEBYSCORE', zkey, '-inf', '(' .. (now - window))
        local size = redis.call('ZCARD', zkey)
        if size > maxVectors then
          local old = redis.call('ZPOPMIN', zkey, size - maxVectors)
          for i = 1, #old, 2 do redis.call('UNLINK', ns .. ':v:' .. old[i]) end
          size = maxVectors
        end
        redis.call('PEXPIRE', zkey, window)
        return {'original', tostring(h), tostring(best), examined, size}
        """;

    /// <summary>
    /// Insert without look-up, for bulk loading (the benchmark): the insert half of <see cref="Near"/> for
    /// several items. KEYS as in <see cref="Near"/>. ARGV: 1 namespace, 2 now, 3 window, 4 bucket TTL, 5 max
    /// vectors, 6 band count n, 7 item count c, then per item: id, stored form, n band keys, n fields.
    /// </summary>
    public const string InsertBatch = AppendHandle + """
        local zkey, seqkey = KEYS[1], KEYS[2]
        local ns = ARGV[1]
        local now = tonumber(ARGV[2])
        local window = tonumber(ARGV[3])
        local bucketTtl = tonumber(ARGV[4])
        local maxVectors = tonumber(ARGV[5])
        local nb = tonumber(ARGV[6])
        local count = tonumber(ARGV[7])
        local at = 7
        for _ = 1, count do
          local h = redis.call('INCR', seqkey) % 4294967296
          redis.call('SET', ns .. ':v:' .. h, struct.pack('<d', now) .. ARGV[at + 2] .. ARGV[at + 1], 'PX', window)
          local packed = struct.pack('<I4', h)
          for j = 1, nb do
            local key, field = ARGV[at + 2 + j], ARGV[at + 2 + nb + j]
            appendHandle(key, field, redis.call('HGET', key, field), packed, bucketTtl)
          end
          redis.call('ZADD', zkey, now, h)
          at = at + 2 + 2 * nb
        end
        redis.call('PEXPIRE', seqkey, bucketTtl)
        local size = redis.call('ZCARD', zkey)
        if size > maxVectors then
          local old = redis.call('ZPOPMIN', zkey, size - maxVectors)
          for i = 1, #old, 2 do redis.call('UNLINK', ns .. ':v:' .. old[i]) end
          size = maxVectors
        end
        redis.call('PEXPIRE', zkey, window)
        return size
        """;

    public static readonly byte[] ExactSha = Sha1(Exact);

    public static readonly byte[] NearSha = Sha1(Near);

    public static readonly byte[] InsertBatchSha = Sha1(InsertBatch);

    // SHA-1 because that is how Redis names cached scripts (EVALSHA); nothing relies on it for security.
    private static byte[] Sha1(string script) =>
        SHA1.HashData(Encoding.UTF8.GetBytes(script));
}
