# The image docker-compose.yml runs as web, worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/scss static/scss
RUN mkdir -p static/build \
 && npx sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps \
      static/scss/app.scss static/build/app.css \
 && cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/build/ \
 && mkdir -p static/build/govuk/assets \
 && cp -r node_modules/govuk-frontend/dist/govuk/assets/images static/build/govuk/assets/ \
 && cp node_modules/htmx.org/dist/htmx.min.js static/build/

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=assets /app/static/build static/build
RUN cp "$(python -c 'import plotly, pathlib; print(pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js")')" static/build/ \
 && DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=build \
    DJANGO_SECRET_KEY=build-time-only-key-used-for-collectstatic-and-nothing-else-000 \
    python manage.py collectstatic --noinput
RUN useradd --create-home scrutiny && mkdir -p /app/media && chown scrutiny /app/media
USER scrutiny
EXPOSE 8000
CMD ["gunicorn", "scrutiny.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
