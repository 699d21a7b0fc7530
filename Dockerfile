# Build once with the full toolchain, ship only the binary and the vendored assets.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock askama.toml ./
# SQLX_OFFLINE from .cargo/config.toml: the query! macros read .sqlx/, so no database is needed.
COPY .cargo .cargo
COPY .sqlx .sqlx
COPY src src
COPY migrations migrations
COPY templates templates
COPY static static
RUN cargo build --release --locked --bin portal

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home portal
COPY --from=build /src/target/release/portal /usr/local/bin/portal
COPY --from=build /src/static /srv/portal/static
ENV PORTAL_BIND=0.0.0.0:8080 \
    PORTAL_STATIC_DIR=/srv/portal/static \
    PORTAL_LOG_FORMAT=json
USER portal
EXPOSE 8080
# Templates and migrations are compiled into the binary.
ENTRYPOINT ["portal"]
CMD ["serve"]
