-- tests/faults/longrun.lua - wrk script for tests/faults/longrun.sh: cycles
-- through every outcome (R with RS256 and ES256 hints, S, C, E, malformed,
-- 405, a confirmation POST with a token scraped beforehand, bad hints,
-- a hint of another session), counts responses by status and sign-outs
-- (responses with Set-Cookie), and stops each thread after LR_QUOTA
-- responses (leaving a file LR_DONE.ID behind).  Inputs come from the environment (LR_*).

local threads = {}

function setup(thread)
	table.insert(threads, thread)
	thread:set("id", #threads)
end

function init(args)
	quota = tonumber(os.getenv("LR_QUOTA"))
	counts = {}
	signouts = 0
	seen = 0
	i = 0
	local p = os.getenv("LR_PATH")
	local rp = "https%3A%2F%2Frp.example%2Fsigned-out"
	local rpq = "https%3A%2F%2Frp.example%2Fcb%3Fx%3D1"
	local function get(q, h)
		return wrk.format("GET", p .. "?" .. q, h)
	end
	reqs = {
		-- R, RS256: 302
		get("id_token_hint=" .. os.getenv("LR_HRS") ..
		    "&post_logout_redirect_uri=" .. rp .. "&state=lr%20s"),
		-- R, ES256, URI with a query: 302
		get("id_token_hint=" .. os.getenv("LR_HES") ..
		    "&post_logout_redirect_uri=" .. rpq .. "&state=x"),
		-- S: 200 with Set-Cookie
		get("id_token_hint=" .. os.getenv("LR_HRS"),
		    { ["Accept-Language"] = "sv" }),
		-- C: 200
		get("client_id=demo-rp&post_logout_redirect_uri=" .. rp ..
		    "&state=c"),
		-- E, unknown client: 400
		get("client_id=nobody"),
		-- E, malformed (duplicate parameter): 400
		get("client_id=demo-rp&client_id=other-rp"),
		-- 405
		wrk.format("PUT", p),
		-- confirmation POST: 303 with Set-Cookie
		wrk.format("POST", p,
		    { ["Content-Type"] = "application/x-www-form-urlencoded",
		      ["Cookie"] = os.getenv("LR_COOKIE") },
		    os.getenv("LR_FORM")),
		-- bad hint (wrong issuer): C, 200
		get("id_token_hint=" .. os.getenv("LR_HBAD") ..
		    "&client_id=demo-rp&post_logout_redirect_uri=" .. rp),
		-- garbage hint: C, 200
		get("id_token_hint=eyJhbGciOiJub25lIn0.e30.&client_id=demo-rp"),
		-- valid hint of another session: C, 200
		get("id_token_hint=" .. os.getenv("LR_HRS") ..
		    "&post_logout_redirect_uri=" .. rp,
		    { ["Cookie"] = "op_sid=someone-else" }),
	}
end

function request()
	i = i + 1
	return reqs[(i - 1) % #reqs + 1]
end

function response(status, headers, body)
	local k = tostring(status)
	counts[k] = (counts[k] or 0) + 1
	-- A sign-out expires the session cookies; a confirmation page sets
	-- only its confirm cookie, which is no sign-out.
	local c = headers["Set-Cookie"]
	if c ~= nil and c:find("^__Host%-endsession%-confirm=") == nil then
		signouts = signouts + 1
	end
	seen = seen + 1
	if seen == quota then
		-- wrk runs for its whole -d even when its threads stop: tell
		-- longrun.sh, which interrupts wrk (SIGINT) once all are done.
		local f = io.open(os.getenv("LR_DONE") .. "." .. id, "w")
		if f then
			f:close()
		end
		wrk.thread:stop()
	end
end

function done(summary, latency, requests)
	local total, so = {}, 0
	for _, t in ipairs(threads) do
		local c = t:get("counts")
		for k, v in pairs(c) do
			total[k] = (total[k] or 0) + v
		end
		so = so + t:get("signouts")
	end
	local keys = {}
	for k in pairs(total) do
		table.insert(keys, k)
	end
	table.sort(keys)
	local out = {}
	for _, k in ipairs(keys) do
		table.insert(out, k .. "=" .. total[k])
	end
	io.write("LR-STATUS " .. table.concat(out, " ") .. "\n")
	io.write("LR-SIGNOUTS " .. so .. "\n")
	io.write(string.format("LR-WRK requests=%d errors=%d/%d/%d/%d/%d\n",
	    summary.requests, summary.errors.connect, summary.errors.read,
	    summary.errors.write, summary.errors.status,
	    summary.errors.timeout))
end
