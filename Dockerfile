# The production image: one image, three roles (web, worker, beat) chosen by the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_DEBUG=1 python manage.py collectstatic --noinput --verbosity 0
RUN useradd --system jorgebot && mkdir -p /var/run/jorgebot-metrics && chown jorgebot /var/run/jorgebot-metrics
USER jorgebot
EXPOSE 8000
# Settings in gunicorn.conf.py (one process per core: set WEB_CONCURRENCY to the cores the container gets).
CMD ["gunicorn", "jorgebot.wsgi"]
