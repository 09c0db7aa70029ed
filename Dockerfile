FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN pip install --no-cache-dir --no-deps -e . && SECRET_KEY=build python manage.py collectstatic --noinput
# The translations (locale/*/LC_MESSAGES/django.po) compiled to .mo with Babel, as `make install` does.
RUN for po in locale/*/LC_MESSAGES/django.po; do \
      pybabel -q compile -i "$po" -o "${po%.po}.mo" -l "$(basename "$(dirname "$(dirname "$po")")")"; \
    done
EXPOSE 8000
CMD ["gunicorn", "reader.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
