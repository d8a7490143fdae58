"""The classroom: play an actor against the model, debrief a game or a class, and the web app.

    game.py      Game: one student's game (the played actor's `choose` hook), ChoiceError, LET_MODEL_CHOOSE
    briefing.py  what the player sees each day: news, blame, costs in view, the menu of options
    terminal.py  what a player may type at the `play` prompt
    saved.py     saved games (JSON, with the scenario inside), GameError
    debrief.py   a game against history and the model's runs (`sweep.distribution`); a class's games
    session.py   a class session: one model, a seat per team, hidden information; access.py its tokens;
                 seat_news.py what a seat knows of each act; session_file.py and sessions.py saved sessions
                 inject.py the instructor's injects
    sliders.py   the app's rule-parameter sliders
    app.py       the Solara web app (needs the `app` extra); on top, with the command line; its pages and
                 panels: app_play.py, app_panels.py, app_seats.py, app_instructor.py, widgets.py

Nothing here is imported by the layers below; `app` is imported by nothing but Solara.
"""
