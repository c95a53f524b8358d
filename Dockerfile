# Congress-term summary API. Serves on $PORT (8000) with a SQLite file under /srv/app/data;
# set DATABASE_URL to a postgresql+psycopg:// URL to use PostgreSQL instead.
FROM python:3.11-slim

# MALLOC_ARENA_MAX=2: glibc's malloc keeps at most two arenas instead of one per thread (up to
# 8 per core): a worker's peak RSS with the cache off fell by 1-3 MB with THREADS=8 and by
# 12 MB with 40 threads, same req/s (bench/RESULTS.md, "Peak RSS").

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=2 \
    DATABASE_URL=sqlite:////srv/app/data/congress.db \
    MALLOC_ARENA_MAX=2

WORKDIR /srv/app
RUN groupadd --gid 10001 api \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin api

# Dependencies from the lock, in their own layer so code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
RUN pip install --no-deps -e . \
    && mkdir -p data \
    && chown -R api:api data

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

# Migrations and the (idempotent) seed run before the server starts; both take a lock, so
# replicas started together against one PostgreSQL run them one after another.
CMD ["sh", "-c", "congress-api migrate && congress-api seed && exec congress-api serve"]
