// The size floor: lit + socket.io-client + DOMPurify alone, kept alive so nothing is tree-shaken.
import { LitElement, html, css, render } from 'lit';
import { io } from 'socket.io-client';
import DOMPurify from 'dompurify';

window.__floor = { LitElement, html, css, render, io, DOMPurify };
