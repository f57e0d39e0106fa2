-- wrk script: POST a JSON body (from the BODY env var, or a file named by BODY_FILE)
-- with the benchmark's key and account headers.
local body = os.getenv("BODY")
local file = os.getenv("BODY_FILE")
if file then
  local f = io.open(file, "r")
  body = f:read("*a")
  f:close()
end
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = os.getenv("KEY") or ""
wrk.headers["wix-account-id"] = os.getenv("ACCOUNT") or "bench"
