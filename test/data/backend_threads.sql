-- pg_temp.backend_threads(): the backend's threads once a joined thread has left /proc
-- (the kernel may list it for a moment after pthread_join returns: seen in 25 of 20,000
-- joins on our machine); a thread never joined stays listed, so after a second of 10 ms
-- polls this still answers 2. Included by the regress files and the fuzz run that count
-- threads after a cancel or an error.
CREATE FUNCTION pg_temp.backend_threads() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  FOR i IN 1..100 LOOP
    n := (SELECT count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/task'));
    EXIT WHEN n = 1;
    PERFORM pg_sleep(0.01);
  END LOOP;
  RETURN n;
END $$;
